/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vgpu_pci: a hostile guest against the real QEMU with vgpu-pci, through qtest (issue 18).
 *
 *   fuzz_vgpu_pci [--seconds S | --actions N] [--seed SEED] [--verbose]
 *
 * Runs random actions (fuzz_device_actions.c) and, every CHECK_EVERY actions and at the end, checks that QEMU
 * is alive, answers QMP, has not grown past a memory bound, and after the test restores its driver state
 * still executes a FILL correctly. Output is TAP (one case), so meson and `make check` count it; a failure
 * prints the seed, the action count that replays it, and the last actions.
 */
#include "fuzz_device.h"
#include "vgpu/vgpu_hw.h"
#include "vgpu_test.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEVICE_ARGS   "-device vgpu-pci,vram_size=16M"
#define CHECK_EVERY   40
#define RSS_GROWTH_MB 768 /* the largest legal scanout copy (256 MiB) twice over, plus room */

uint64_t fuzz_next(struct fuzz *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t fuzz_below(struct fuzz *f, uint32_t n)
{
	return n ? (uint32_t)(fuzz_next(f) % n) : 0;
}

bool fuzz_chance(struct fuzz *f, uint32_t n)
{
	return fuzz_below(f, n) == 0;
}

void fuzz_note(struct fuzz *f, const char *fmt, ...)
{
	char *line = f->history[f->action % FUZZ_HISTORY];
	int len = snprintf(line, sizeof(f->history[0]), "%lu: ", f->action);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + len, sizeof(f->history[0]) - (size_t)len, fmt, ap);
	va_end(ap);
	if (f->verbose) {
		printf("# %s\n", line);
		fflush(stdout);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Alive, answering, bounded, and still right: a FILL + COPY job after restoring the test's driver state. */
static bool healthy(struct fuzz *f, long rss_start_kib)
{
	static const uint32_t value = 0x00c0ffee;
	const uint64_t seq = f->next_seq++;
	uint32_t fill[8] = {VGPU_PKT_HEADER(VGPU_PKT_FILL, 7)};
	char *status;
	bool ok;

	if (!qt_alive(f->dev.qt)) {
		vt_fail(__FILE__, __LINE__, "QEMU is gone or does not answer qtest");
		return false;
	}
	status = qt_qmp(f->dev.qt, "{\"execute\": \"query-status\"}");
	ok = status && strstr(status, "\"return\"");
	free(status);
	if (!ok) {
		vt_fail(__FILE__, __LINE__, "QEMU does not answer QMP");
		return false;
	}
	long rss = qt_rss_kib(f->dev.qt);
	if (rss < 0 || rss - rss_start_kib > RSS_GROWTH_MB * 1024l) {
		vt_fail(__FILE__, __LINE__, "QEMU grew from %ld to %ld KiB", rss_start_kib, rss);
		return false;
	}
	fuzz_restore(f);
	qt_writel(f->dev.qt, TEST_BAR2_ADDR + TEST_MAPPED_VA + 3 * 256 + 5 * 4, 0);
	vgpu_surface(fill + 1, TEST_MAPPED_VA, 256, VGPU_FORMAT_B8G8R8X8_UNORM);
	fill[5] = VGPU_XY(4, 2);
	fill[6] = VGPU_XY(16, 8);
	fill[7] = value;
	vgpu_ring_submit(&f->dev, fill, 8);
	vgpu_ring_fence(&f->dev, seq, false);
	if (!vgpu_wait_fence(&f->dev, seq)) {
		return false;
	}
	uint32_t got = qt_readl(f->dev.qt, TEST_BAR2_ADDR + TEST_MAPPED_VA + 3 * 256 + 5 * 4);
	if (got != value) {
		vt_fail(__FILE__, __LINE__, "a valid FILL wrote 0x%08x, expected 0x%08x", got, value);
		return false;
	}
	return true;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz_vgpu_pci [--seconds S | --actions N] [--seed SEED] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct fuzz f;
	double seconds = 20;
	unsigned long max_actions = 0;
	uint64_t seed = (uint64_t)time(NULL) ^ (uint64_t)clock() << 32;
	bool ok = true;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--actions") && i + 1 < argc) {
			max_actions = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--verbose")) {
			f.verbose = true;
		} else {
			usage();
		}
	}
	f.rng = seed;
	f.next_seq = 1;
	printf("1..1\n# seed %" PRIu64 "\n", seed);
	fflush(stdout);
	if (!vgpu_dev_start(&f.dev, DEVICE_ARGS)) {
		printf("not ok 1 - QEMU did not start\n");
		return 1;
	}
	vgpu_dev_ready_for_jobs(&f.dev);
	long rss_start = qt_rss_kib(f.dev.qt);
	double end = now_s() + seconds;

	for (f.action = 0; max_actions ? f.action < max_actions : now_s() < end; f.action++) {
		fuzz_step(&f);
		if ((f.action + 1) % CHECK_EVERY == 0 && !healthy(&f, rss_start)) {
			ok = false;
			f.action++;
			break;
		}
	}
	ok = ok && healthy(&f, rss_start);
	long rss_end = qt_rss_kib(f.dev.qt);
	if (!ok) {
		printf("# rerun: fuzz_vgpu_pci --seed %" PRIu64 " --actions %lu --verbose\n# last actions:\n",
		       seed, f.action);
		for (unsigned long a = f.action > FUZZ_HISTORY ? f.action - FUZZ_HISTORY : 0; a < f.action;
		     a++) {
			printf("#   %s\n", f.history[a % FUZZ_HISTORY]);
		}
	}
	int status = vgpu_dev_stop(&f.dev);
	ok = ok && status == 0;
	printf("%s 1 - %lu actions, seed %" PRIu64 ", QEMU RSS %ld -> %ld KiB, exit status %d\n",
	       ok ? "ok" : "not ok", f.action, seed, rss_start, rss_end, status);
	return ok ? 0 : 1;
}
