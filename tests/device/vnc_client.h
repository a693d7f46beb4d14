/* A minimal RFB (VNC, RFC 6143) client for the device suite: QEMU connects to it (-vnc unix:PATH,reverse=on),
 * it asks for the alpha-cursor pseudo-encoding (-314), and reads the cursor images QEMU pushes. That is how
 * a test sees the hardware cursor, which screendumps do not contain. */
#ifndef VNC_CLIENT_H
#define VNC_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

/* Listen on a unix socket at path; returns the listening fd or -1. */
int vnc_listen(const char *path);
/* Accept QEMU's connection and do the handshake (no authentication); returns the connection or -1. */
int vnc_accept(int listen_fd);
/* Wait for the next cursor image (at most max_pixels 0xAARRGGBB words); false on timeout or protocol error.
 */
bool vnc_read_cursor(int fd, uint32_t *pixels, unsigned max_pixels, unsigned *width, unsigned *height);

/* Ask for a new desktop size, as a resized client window does (SetDesktopSize, one screen). */
bool vnc_request_desktop_size(int fd, unsigned width, unsigned height);

#endif
