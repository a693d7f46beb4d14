#!/usr/bin/env python3
"""Guest tests of vgpu.ko, as one TAP stream for meson.

Boot 1 (guest_kms.sh): the driver binds at boot, the ioctl test program passes, rmmod and insmod work,
dmesg stays clean, faults are logged, and modetest shows its SMPTE pattern in the preferred mode; the
host checks the screendump against the pattern's definition. Boot 2 (guest_intx_console.sh), on a device with
16 MiB of VRAM and a 1280x800 window: the modes follow; reloaded with msix=0 the driver runs on INTx
(page flips, a fault); text written to the console appears on the vgpu display through fbdev emulation.

Boot 3 (guest_hotplug_show.sh): the host resizes the window through QEMU's VNC server and the new size
becomes the preferred mode; then vgpu_kms_show.c shows an RGB565 framebuffer larger than the mode,
panned, with the cursor over it: the host checks the colours of each quadrant and the panning in the
screendump, and the cursor registers. Boot 4 (guest_kmscube.sh): kmscube on Mesa's software fallback; the
screendump shows a coloured cube on grey.

Usage: guest_kms_test.py VGPU-VM MODULE-DIR TEST-PROGRAM SHOW-PROGRAM [QEMU]
MODULE-DIR holds vgpu.ko (and no other .ko); QEMU, when given and not empty, is passed to vgpu-vm.
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# libdrm's SMPTE pattern (tests/util/pattern.c): the top two thirds are seven 75% bars, left to right.
SMPTE_TOP_BARS = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192), (192, 0, 0),
                  (0, 0, 192)]


class Tap:
    def __init__(self):
        self.lines = []
        self.count = 0
        self.failed = False

    def result(self, ok, name, detail=None):
        self.count += 1
        self.lines.append(f"{'ok' if ok else 'not ok'} {self.count} - {name}")
        if detail:
            self.lines.extend('# ' + line for line in detail.splitlines())
        self.failed |= not ok

    def finish(self):
        print(f"1..{self.count}")
        print('\n'.join(self.lines))
        sys.stdout.flush()
        return 1 if self.failed else 0


def read_png(path):
    """Returns (width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError(f'{path} is not a PNG file')
    pos, idat, header = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        raise ValueError(f'{path}: unsupported PNG layout (depth {depth}, color type {color})')
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


QEMU = []


def build_module(tap, module_dir):
    """Builds vgpu.ko against the guest kernel's headers (Kbuild in MODULE-DIR/../kbuild, incremental) and
    copies it to MODULE-DIR; a compile error becomes a failed test point with the compiler's output."""
    kbuild_dir = os.path.join(os.path.dirname(module_dir), 'kbuild')
    script = os.path.join(HERE, '..', '..', '..', 'scripts', 'build-kernel-module.sh')
    proc = subprocess.run([script, kbuild_dir], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors='replace')
    tap.result(proc.returncode == 0, 'vgpu.ko builds against the guest kernel\'s headers',
               None if proc.returncode == 0 else proc.stdout)
    if proc.returncode:
        return False
    os.makedirs(module_dir, exist_ok=True)
    with open(os.path.join(kbuild_dir, 'vgpu.ko'), 'rb') as src, \
            open(os.path.join(module_dir, 'vgpu.ko'), 'wb') as dst:
        dst.write(src.read())
    return True


def run_guest(vgpu_vm, module_dir, command, screenshot, qemu_args=(), options=()):
    args = [vgpu_vm, 'run', '--modules', module_dir, '--timeout', '240', '--screenshot', screenshot,
            '--exec', command] + list(options) + QEMU + ['--'] + list(qemu_args)
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors='replace')
    return proc.returncode, proc.stdout, proc.stderr


def guest_info(out):
    """A guest script's "vgpu-info: KEY VALUE" lines as a dict."""
    info = {}
    for line in out.splitlines():
        if line.startswith('vgpu-info: '):
            key, _, value = line[len('vgpu-info: '):].partition(' ')
            info[key] = value
    return info


def report_guest_checks(tap, out, program_label):
    """Turns a guest script's output into test points: its "vgpu-check:" lines, and the TAP of the test
    program it ran ("vgpu-tap:" lines, renumbered, named with PROGRAM_LABEL). Returns its "vgpu-info:"
    lines as a dict."""
    program_tap = []
    for line in out.splitlines():
        if line.startswith('vgpu-check: '):
            verdict = line[len('vgpu-check: '):]
            ok = verdict.startswith('ok ')
            tap.result(ok, verdict[3:] if ok else verdict[7:])
        elif line.startswith('vgpu-tap: '):
            program_tap.append(line[len('vgpu-tap: '):])
        elif line.startswith('#'):
            tap.lines.append(line)
    planned = next((int(l[3:]) for l in program_tap if l.startswith('1..')), None)
    cases = [l for l in program_tap if l.startswith('ok ') or l.startswith('not ok ')]
    tap.result(planned is not None and planned == len(cases), program_label + 'test program ran all its cases',
               '\n'.join(program_tap) if planned != len(cases) else None)
    for line in program_tap:
        if line.startswith('#'):
            tap.lines.append(line)
        elif line.startswith('ok ') or line.startswith('not ok '):
            tap.result(line.startswith('ok '), program_label + line.split(' - ', 1)[-1])
    return guest_info(out)


def check_lifecycle_and_modetest(tap, vgpu_vm, module_dir, test_program, workdir):
    screenshot = os.path.join(workdir, 'modetest.png')
    # The guest runs on the host's root: it reloads the module from where the host built it.
    module = os.path.join(os.path.abspath(module_dir), 'vgpu.ko')
    status, out, err = run_guest(vgpu_vm, module_dir,
                                 f"sh {HERE}/guest_kms.sh {test_program} {module}", screenshot)
    tap.result(status == 0, 'boot 1: the guest ran the driver checks', None if status == 0 else err + out)
    info = report_guest_checks(tap, out, 'ioctl ')
    mode = info.get('preferred-mode', '')
    try:
        width, height, rows = read_png(screenshot)
    except (OSError, ValueError) as e:
        tap.result(False, 'modetest: the screendump is readable', str(e))
        return
    tap.result(f'{width}x{height}' == mode, 'modetest: the display shows the preferred mode',
               f'screendump {width}x{height}, preferred mode {mode!r}')
    y = height // 3
    seen = [rows[y][(2 * i + 1) * width // 14] for i in range(7)]
    tap.result(seen == SMPTE_TOP_BARS, 'modetest: the display shows the SMPTE bars',
               f'seen {seen}, expected {SMPTE_TOP_BARS}')


# Boot 2 runs a device with a smaller VRAM and another initial window size, to see both reach the modes.
BOOT2_VRAM = 16 << 20
BOOT2_SIZE = (1280, 800)
STANDARD_SIZES = [(640, 480), (800, 600), (1024, 768), (1280, 720), (1280, 800), (1280, 1024), (1440, 900),
                  (1600, 900), (1680, 1050), (1920, 1080), (1920, 1200), (2560, 1440), (2560, 1600),
                  (3840, 2160)]


def fits_double_buffered(width, height, vram):
    """The VRAM helper's rule: two 32-bit framebuffers of the mode fit in the VRAM (whole pages)."""
    return -(-width * height * 4 // 4096) <= vram // 2 // 4096


def check_intx_and_fbdev_console(tap, vgpu_vm, module_dir, test_program, workdir):
    screenshot = os.path.join(workdir, 'console.png')
    module = os.path.join(module_dir, 'vgpu.ko')
    # SeaBIOS: its ACPI tables route INTx, which qboot's do not.
    status, out, err = run_guest(
        vgpu_vm, module_dir, f"sh {HERE}/guest_intx_console.sh {test_program} {module}", screenshot,
        ['-global', f'vgpu-pci.vram_size={BOOT2_VRAM >> 20}M', '-global', f'vgpu-pci.xres={BOOT2_SIZE[0]}',
         '-global', f'vgpu-pci.yres={BOOT2_SIZE[1]}'], ['--bios', 'seabios'])
    tap.result(status == 0, 'boot 2: the guest ran the INTx and console checks', None if status == 0 else err + out)
    info = report_guest_checks(tap, out, 'INTx: ')
    modes = [tuple(int(v) for v in mode.split('x')) for mode in info.get('modes', '').split()]
    tap.result(modes[:1] == [BOOT2_SIZE], 'modes: the device\'s preferred size comes first', f'modes {modes}')
    expected = sorted({BOOT2_SIZE} | {s for s in STANDARD_SIZES if fits_double_buffered(*s, BOOT2_VRAM)})
    tap.result(sorted(modes) == expected, 'modes: the standard sizes that fit the VRAM twice, no others',
               f'modes {sorted(modes)}, expected {expected}')
    text = info.get('console-text', '')
    try:
        width, height, rows = read_png(screenshot)
    except (OSError, ValueError) as e:
        tap.result(False, 'fbdev: the screendump is readable', str(e))
        return
    tap.result((width, height) == BOOT2_SIZE, 'fbdev: the console uses the preferred mode',
               f'screendump {width}x{height}')
    # fbcon's glyphs are at most 16 rows high (the 8x16 font): the text row has lit pixels across the
    # width of the text, the rows below it none.
    lit = lambda px: max(px) > 64
    text_row = [x for y in range(16) for x in range(width) if lit(rows[y][x])]
    below = sum(1 for y in range(40, height) for x in range(0, width, 4) if lit(rows[y][x]))
    tap.result(len(text) > 0 and len(text_row) > 4 * len(text), 'fbdev: the console text is on the vgpu display',
               f'{len(text_row)} lit pixels in the first text row')
    tap.result(below == 0, 'fbdev: the rest of the cleared console is dark', f'{below} lit pixels below')


# What vgpu_kms_show.c draws (its PAN_X/PAN_Y only decide what would show if panning were wrong: magenta).
CURSOR_AT = (100, 50)
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def vnc_request_desktop_size(socket_path, width, height):
    """Asks QEMU's VNC server to resize the desktop (RFB 3.8, no authentication, SetDesktopSize): QEMU
    passes the size to the display device as its window size, as a resized GTK window would."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as vnc:
        vnc.settimeout(30)
        vnc.connect(socket_path)

        def receive(count):
            data = b''
            while len(data) < count:
                chunk = vnc.recv(count - len(data))
                if not chunk:
                    raise OSError('the VNC server closed the connection')
                data += chunk
            return data

        receive(12)
        vnc.sendall(b'RFB 003.008\n')
        types = receive(receive(1)[0])
        if 1 not in types:
            raise OSError(f'the VNC server wants authentication (security types {list(types)})')
        vnc.sendall(b'\x01')
        if struct.unpack('>I', receive(4))[0] != 0:
            raise OSError('the VNC server refused the connection')
        vnc.sendall(b'\x01')  # ClientInit: shared
        name_length = struct.unpack('>HH16xI', receive(24))[2]
        receive(name_length)
        vnc.sendall(struct.pack('>BxHi', 2, 1, -308))  # SetEncodings: ExtendedDesktopSize
        vnc.sendall(struct.pack('>BxHHBxIHHHHI', 251, width, height, 1, 0, 0, 0, width, height, 0))
        time.sleep(1)  # let QEMU read the request before the connection closes


def run_guest_resizing(vgpu_vm, module_dir, command, screenshot, workdir, size):
    """Like run_guest, and when the guest prints "vgpu-info: ready-for-resize", resizes the window."""
    socket_path = os.path.join(workdir, 'vnc.sock')
    args = [vgpu_vm, 'run', '--modules', module_dir, '--timeout', '240', '--screenshot', screenshot,
            '--exec', command] + QEMU + ['--', '-vnc', f'unix:{socket_path}']
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors='replace')
    out, resize_error = [], None
    for line in proc.stdout:
        out.append(line)
        if line.startswith('vgpu-info: ready-for-resize'):
            try:
                vnc_request_desktop_size(socket_path, *size)
            except OSError as e:
                resize_error = f'resizing through VNC failed: {e}'
    return proc.wait(), ''.join(out), resize_error


# Boot 3 resizes the window to this size before showing its picture.
BOOT3_SIZE = (800, 600)


def check_hotplug_panned_rgb565_and_cursor(tap, vgpu_vm, module_dir, show_program, workdir):
    screenshot = os.path.join(workdir, 'show.png')
    status, out, resize_error = run_guest_resizing(
        vgpu_vm, module_dir, f"sh {HERE}/guest_hotplug_show.sh {show_program}", screenshot, workdir, BOOT3_SIZE)
    tap.result(status == 0 and not resize_error, 'boot 3: the guest ran the hotplug and show checks',
               None if status == 0 and not resize_error else f'{resize_error}\n{out}')
    info = guest_info(out)
    resized = info.get('resized-mode')
    tap.result(resized == '%dx%d' % BOOT3_SIZE, 'hotplug: a resized window becomes the preferred mode',
               f'preferred mode before {info.get("ready-for-resize")!r}, after {resized!r}')
    shown = info.get('shown', '').split()
    tap.result(len(shown) == 1, 'show: vgpu_kms_show showed its picture', None if shown else out)
    try:
        width, height, rows = read_png(screenshot)
    except (OSError, ValueError) as e:
        tap.result(False, 'show: the screendump is readable', str(e))
        return
    tap.result([f'{width}x{height}'] == shown, 'show: the screendump has the (resized) mode\'s size',
               f'screendump {width}x{height}, shown {shown}')
    cx, cy = CURSOR_AT
    probes = {
        'RGB565 quadrants': [((width // 4, height // 4), RED), ((3 * width // 4, height // 4), GREEN),
                             ((width // 4, 3 * height // 4), BLUE), ((3 * width // 4, 3 * height // 4), WHITE)],
        'panning (corners of the visible part)': [((0, 0), RED), ((width - 1, 0), GREEN),
                                                  ((0, height - 1), BLUE), ((width - 1, height - 1), WHITE)],
    }
    for name, points in probes.items():
        seen = [rows[y][x] for (x, y), _ in points]
        expected = [colour for _, colour in points]
        tap.result(seen == expected, f'show: {name}', f'at {[p for p, _ in points]}: seen {seen}, expected {expected}')
    # QEMU hands the hardware cursor to its UI as an overlay, so screendumps never show it: the cursor is
    # checked in the registers the driver programmed (debugfs).
    regs = {}
    for line in out.splitlines():
        if line.startswith('vgpu-reg: '):
            _, name, value = line[len('vgpu-reg: '):].split()
            regs[name] = int(value, 16)
    cursor = {name: regs.get(name) for name in ('CURSOR_CTRL', 'CURSOR_POS', 'CURSOR_ADDR_HI', 'CURSOR_ADDR_LO')}
    vram = regs.get('VRAM_SIZE_LO', 0) | regs.get('VRAM_SIZE_HI', 0) << 32
    ok = (cursor['CURSOR_CTRL'] == 1 and cursor['CURSOR_POS'] == (cy << 16 | cx) and cursor['CURSOR_ADDR_HI'] == 0
          and cursor['CURSOR_ADDR_LO'] is not None and cursor['CURSOR_ADDR_LO'] % 4096 == 0
          and cursor['CURSOR_ADDR_LO'] + 64 * 64 * 4 <= vram)
    tap.result(ok, 'show: the cursor registers: shown, at its position, a VRAM page address',
               f'{ {k: hex(v) if v is not None else None for k, v in cursor.items()} }, VRAM {vram:#x}')


def check_kmscube(tap, vgpu_vm, module_dir, workdir):
    screenshot = os.path.join(workdir, 'kmscube.png')
    status, out, err = run_guest(vgpu_vm, module_dir, f"sh {HERE}/guest_kmscube.sh", screenshot)
    tap.result(status == 0, 'boot 4: the guest ran kmscube', None if status == 0 else err + out)
    for line in out.splitlines():
        if line.startswith('vgpu-check: '):
            verdict = line[len('vgpu-check: '):]
            tap.result(verdict.startswith('ok '), verdict.split(' ', 1)[1] if verdict.startswith('ok ') else verdict[7:])
        elif line.startswith('#'):
            tap.lines.append(line)
    try:
        width, height, rows = read_png(screenshot)
    except (OSError, ValueError) as e:
        tap.result(False, 'kmscube: the screendump is readable', str(e))
        return
    # kmscube clears to 50% grey and draws a cube with colour-interpolated faces in the middle.
    corners = [rows[0][0], rows[0][width - 1], rows[height - 1][0], rows[height - 1][width - 1]]
    grey = all(all(120 <= c <= 135 for c in px) for px in corners)
    tap.result(grey, 'kmscube: the background is kmscube\'s grey', f'corners {corners}')
    middle = [rows[y][x] for y in range(height // 3, 2 * height // 3, 4) for x in range(width // 3, 2 * width // 3, 4)]
    coloured = [px for px in middle if max(px) - min(px) > 60]
    tap.result(len(coloured) > len(middle) // 4, 'kmscube: a coloured cube fills the middle of the screen',
               f'{len(coloured)} of {len(middle)} sampled pixels in the middle third are strongly coloured')


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    # The guest sees the host's root: absolute paths reach the same files there.
    vgpu_vm, module_dir, test_program, show_program = (os.path.abspath(a) for a in sys.argv[1:5])
    if len(sys.argv) == 6 and sys.argv[5]:
        QEMU.extend(['--qemu', sys.argv[5]])
    tap = Tap()
    if not build_module(tap, module_dir):
        sys.exit(tap.finish())
    with tempfile.TemporaryDirectory(prefix='vgpu-guest-kms-') as workdir:
        check_lifecycle_and_modetest(tap, vgpu_vm, module_dir, test_program, workdir)
        check_intx_and_fbdev_console(tap, vgpu_vm, module_dir, test_program, workdir)
        check_hotplug_panned_rgb565_and_cursor(tap, vgpu_vm, module_dir, show_program, workdir)
        check_kmscube(tap, vgpu_vm, module_dir, workdir)
    sys.exit(tap.finish())


if __name__ == '__main__':
    main()
