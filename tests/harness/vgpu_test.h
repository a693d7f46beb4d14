/* A minimal test harness that speaks TAP, so meson counts every case and `make check` can sum them.
 *
 *   static void test_fill(void) { VT_CHECK(x == 1); VT_CHECK_EQ_U64(a, b); }
 *   static const struct vt_case cases[] = { VT_CASE(test_fill), ... };
 *   int main(int argc, char **argv) { return vt_main(cases, VT_COUNT(cases), argc, argv); }
 *
 * `./test NAME` runs only the cases whose name contains NAME. A failed check reports file:line and the
 * expression, and the case continues so one run shows every failure. */
#ifndef VGPU_TEST_H
#define VGPU_TEST_H

#include <stddef.h>
#include <stdint.h>

struct vt_case {
	const char *name;
	void (*fn)(void);
};

#define VT_CASE(fn) { #fn, fn }
#define VT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

void vt_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vt_main(const struct vt_case *cases, size_t count, int argc, char **argv);

#define VT_CHECK(cond) \
	do { \
		if (!(cond)) \
			vt_fail(__FILE__, __LINE__, "%s", #cond); \
	} while (0)

#define VT_CHECK_EQ_U64(actual, expected) \
	do { \
		unsigned long long vt_a_ = (unsigned long long)(actual); \
		unsigned long long vt_e_ = (unsigned long long)(expected); \
		if (vt_a_ != vt_e_) \
			vt_fail(__FILE__, __LINE__, "%s == 0x%llx, expected %s == 0x%llx", #actual, vt_a_, \
				#expected, vt_e_); \
	} while (0)

#define VT_CHECK_EQ_INT(actual, expected) \
	do { \
		long long vt_a_ = (long long)(actual); \
		long long vt_e_ = (long long)(expected); \
		if (vt_a_ != vt_e_) \
			vt_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #actual, vt_a_, #expected, \
				vt_e_); \
	} while (0)

#endif
