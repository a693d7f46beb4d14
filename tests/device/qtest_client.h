/* A small client of QEMU's qtest line protocol (docs/devel/qtest.rst in QEMU) and of QMP, for the device
 * suite.
 *
 *   struct qt *qt = qt_start("-device vgpu-pci,vram_size=16M");
 *   qt_writel(qt, addr, value); uint32_t v = qt_readl(qt, addr);
 *   char *reply = qt_qmp(qt, "{\"execute\": \"query-status\"}");
 *   qt_quit(qt);
 *
 * QEMU runs with -machine q35 -accel qtest: no guest code, the test plays the CPU. Any protocol failure (QEMU
 * died, a FAIL reply) is reported through vt_fail and the call returns 0, so a case keeps going and reports.
 */
#ifndef QTEST_CLIENT_H
#define QTEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct qt;

/* The QEMU binary: the meson option `qemu`, else <repo>/build-qemu/qemu-system-x86_64 (set by meson.build).
 */
const char *qt_qemu_path(void);

/* Start QEMU with extra command-line arguments (split on spaces). NULL if it did not start (reported). */
struct qt *qt_start(const char *extra_args);
/* Ask QEMU to quit, wait for it, free everything. Returns QEMU's exit status (-1 if killed). */
int qt_quit(struct qt *qt);
/* True while the QEMU process exists and still answers a qtest command. */
bool qt_alive(struct qt *qt);
/* The directory of this instance's sockets and files (for screendumps and disk images). */
const char *qt_dir(const struct qt *qt);
/* QEMU's resident memory (VmRSS) in KiB, for bounds on what a guest can make it allocate; -1 if unknown. */
long qt_rss_kib(const struct qt *qt);
/* QEMU's log file (-D), where -d guest_errors lines go; returned string is malloc'ed, NULL if unreadable. */
char *qt_read_log(struct qt *qt);

uint8_t qt_readb(struct qt *qt, uint64_t addr);
uint16_t qt_readw(struct qt *qt, uint64_t addr);
uint32_t qt_readl(struct qt *qt, uint64_t addr);
uint64_t qt_readq(struct qt *qt, uint64_t addr);
void qt_writeb(struct qt *qt, uint64_t addr, uint8_t value);
void qt_writew(struct qt *qt, uint64_t addr, uint16_t value);
void qt_writel(struct qt *qt, uint64_t addr, uint32_t value);
void qt_writeq(struct qt *qt, uint64_t addr, uint64_t value);
void qt_memread(struct qt *qt, uint64_t addr, void *buf, size_t len);
void qt_memwrite(struct qt *qt, uint64_t addr, const void *buf, size_t len);
uint32_t qt_inl(struct qt *qt, uint16_t port);
void qt_outl(struct qt *qt, uint16_t port, uint32_t value);
/* Advance the virtual clock (timers such as the vblank run); returns the new clock in ns. */
uint64_t qt_clock_step(struct qt *qt, uint64_t ns);

/* Intercept the GPIO inputs of a device (e.g. "ioapic"): its lines are then reported to the client. */
void qt_irq_intercept_in(struct qt *qt, const char *qom_path);
/* The lowest intercepted line that is raised now, or -1. */
int qt_irq_raised(struct qt *qt);

/* One QMP command (a JSON object); returns the reply line (malloc'ed), skipping asynchronous events. */
char *qt_qmp(struct qt *qt, const char *json);
/* QMP command that must succeed ({"return": ...}); failures are reported. */
void qt_qmp_ok(struct qt *qt, const char *json);
/* Run a QMP job command and wait for the job to conclude; true if it concluded without an error. */
bool qt_qmp_job(struct qt *qt, const char *json, const char *job_id);
/* A 64 MiB qcow2 image in the test's directory as block node "disk", for snapshot-save/-load with
 * "vmstate": "disk". False if it could not be created. */
bool qt_add_snapshot_disk(struct qt *qt);

#endif
