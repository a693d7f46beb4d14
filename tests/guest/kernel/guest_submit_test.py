#!/usr/bin/env python3
"""Guest tests of vgpu.ko's command submission, as one TAP stream for meson.

One boot (guest_submit.sh): vgpu_submit_test.c's cases (2D jobs, syncobjs, sync_files, two clients,
fault isolation, error paths) with leak counters and debugfs checked around them; then the driver is
reloaded with job_timeout_ms=100 and the hang-and-reset case runs; reloaded with watchdog=16, a job the
device's watchdog stops (and the pinned-memory limit's edges); last the device is removed while a job
runs (--unplug) and rescanned. With the first load, vgpu_hostile_test.c (clients racing UNMAP against
SUBMIT, interrupted unpins, the pinned-memory limit, huge syncobj counts) and the ioctl fuzzer
vgpu_ioctl_fuzz.c for VGPU_FUZZ_SECONDS (default 20; the seed is VGPU_FUZZ_SEED, default 1).

Usage: guest_submit_test.py VGPU-VM MODULE-DIR TEST-PROGRAM HOSTILE-PROGRAM FUZZER [QEMU]
"""
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
from guest_kms_test import HERE, QEMU, Tap, build_module, report_guest_checks, run_guest  # noqa: E402

# The TAP of the later runs of the test program, each marked so and reported under its own label.
RUN_MARKS = {'vgpu-tap-reset: ': 'reset: ', 'vgpu-tap-watchdog: ': 'watchdog: ', 'vgpu-tap-unplug: ': 'unplug: ',
             'vgpu-tap-hostile: ': 'hostile: ', 'vgpu-tap-pin-limit: ': 'pin limit: ', 'vgpu-tap-fuzz: ': 'fuzz: '}


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    # The guest sees the host's root: absolute paths reach the same files there.
    vgpu_vm, module_dir, test_program, hostile, fuzzer = (os.path.abspath(a) for a in sys.argv[1:6])
    if len(sys.argv) == 7 and sys.argv[6]:
        QEMU.extend(['--qemu', sys.argv[6]])
    module = os.path.join(module_dir, 'vgpu.ko')
    fuzz_seconds = int(os.environ.get('VGPU_FUZZ_SECONDS', '20'))
    fuzz_seed = int(os.environ.get('VGPU_FUZZ_SEED', '1'))
    tap = Tap()
    if not build_module(tap, module_dir):
        sys.exit(tap.finish())
    command = (f"VGPU_FUZZ_SECONDS={fuzz_seconds} VGPU_FUZZ_SEED={fuzz_seed} "
               f"sh {HERE}/guest_submit.sh {test_program} {module} {hostile} {fuzzer}")
    with tempfile.TemporaryDirectory(prefix='vgpu-guest-submit-') as workdir:
        status, out, err = run_guest(vgpu_vm, module_dir, command, os.path.join(workdir, 'submit.png'),
                                     options=['--timeout', str(240 + 2 * fuzz_seconds)])
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
