#!/usr/bin/env python3
"""Guest tests of vgpu.ko's command submission, as one TAP stream for meson.

One boot (guest_submit.sh): vgpu_submit_test.c's cases (2D jobs, syncobjs, sync_files, two clients,
fault isolation, error paths) with leak counters and debugfs checked around them; then the driver is
reloaded with job_timeout_ms=100 and the hang-and-reset case runs; reloaded with watchdog=16, a job the
device's watchdog stops; last the device is removed while a job runs (--unplug) and rescanned.

Usage: guest_submit_test.py VGPU-VM MODULE-DIR TEST-PROGRAM [QEMU]
"""
import os
import sys
import tempfile

from guest_kms_test import HERE, QEMU, Tap, report_guest_checks, run_guest

# The TAP of the later runs of the test program, each marked so and reported under its own label.
RUN_MARKS = {'vgpu-tap-reset: ': 'reset: ', 'vgpu-tap-watchdog: ': 'watchdog: ', 'vgpu-tap-unplug: ': 'unplug: '}


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    # The guest sees the host's root: absolute paths reach the same files there.
    vgpu_vm, module_dir, test_program = (os.path.abspath(a) for a in sys.argv[1:4])
    if len(sys.argv) == 5 and sys.argv[4]:
        QEMU.extend(['--qemu', sys.argv[4]])
    module = os.path.join(module_dir, 'vgpu.ko')
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix='vgpu-guest-submit-') as workdir:
        status, out, err = run_guest(vgpu_vm, module_dir, f"sh {HERE}/guest_submit.sh {test_program} {module}",
                                     os.path.join(workdir, 'submit.png'))
    tap.result(status == 0, 'the guest ran the submission checks', None if status == 0 else err + out)
    lines = out.splitlines()
    marked = lambda line: any(line.startswith(mark) for mark in RUN_MARKS)
    report_guest_checks(tap, '\n'.join(l for l in lines if not marked(l)), 'submit: ')
    for mark, label in RUN_MARKS.items():
        run_tap = ['vgpu-tap: ' + l[len(mark):] for l in lines if l.startswith(mark)]
        report_guest_checks(tap, '\n'.join(run_tap), label)
    sys.exit(tap.finish())


if __name__ == '__main__':
    main()
