#include "vnc_client.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define VNC_TIMEOUT_MS             20000
#define VNC_ENCODING_ALPHA_CURSOR  0xfffffec6u /* -314, QEMU's alpha cursor: raw 32-bit ARGB */
#define VNC_MSG_FRAMEBUFFER_UPDATE 0
#define VNC_MSG_SET_ENCODINGS      2
#define VNC_MSG_SET_DESKTOP_SIZE   251

static bool read_exact(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, VNC_TIMEOUT_MS) != 1) {
			return false;
		}
		ssize_t got = read(fd, p, len);
		if (got <= 0) {
			return false;
		}
		p += got;
		len -= (size_t)got;
	}
	return true;
}

static bool write_exact(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int vnc_listen(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 1) != 0) {
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

int vnc_accept(int listen_fd)
{
	struct pollfd pfd = {.fd = listen_fd, .events = POLLIN};
	uint8_t version[12], types[2], result[4], init[24], name[256];
	const uint8_t none = 1, shared = 1;
	const uint8_t set_encodings[] = {VNC_MSG_SET_ENCODINGS, 0, 0, 1, 0xff, 0xff, 0xfe, 0xc6};

	if (poll(&pfd, 1, VNC_TIMEOUT_MS) != 1) {
		return -1;
	}
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	/* version, security "None", ClientInit, ServerInit (size, pixel format, name), then our encodings */
	bool ok = read_exact(fd, version, sizeof(version)) && memcmp(version, "RFB 003.008\n", 12) == 0 &&
	          write_exact(fd, "RFB 003.008\n", 12) && read_exact(fd, types, 2) && types[0] == 1 &&
	          types[1] == none && write_exact(fd, &none, 1) && read_exact(fd, result, 4) &&
	          be32(result) == 0 && write_exact(fd, &shared, 1) && read_exact(fd, init, sizeof(init)) &&
	          be32(init + 20) < sizeof(name) && read_exact(fd, name, be32(init + 20)) &&
	          write_exact(fd, set_encodings, sizeof(set_encodings));
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

bool vnc_read_cursor(int fd, uint32_t *pixels, unsigned max_pixels, unsigned *width, unsigned *height)
{
	uint8_t header[4], rect[12], raw_encoding[4];

	/* Only the cursor was asked for (no update requests), so it is the only message QEMU sends. */
	if (!read_exact(fd, header, 4) || header[0] != VNC_MSG_FRAMEBUFFER_UPDATE || be16(header + 2) != 1 ||
	    !read_exact(fd, rect, 12) || be32(rect + 8) != VNC_ENCODING_ALPHA_CURSOR ||
	    !read_exact(fd, raw_encoding, 4) || be32(raw_encoding) != 0) {
		return false;
	}
	*width = be16(rect + 4);
	*height = be16(rect + 6);
	if (*width * *height > max_pixels) {
		return false;
	}
	/* QEMU sends its cursor words in host (here little-endian) order, as the device stored them. */
	return read_exact(fd, pixels, (size_t)*width * *height * 4);
}

bool vnc_request_desktop_size(int fd, unsigned width, unsigned height)
{
	const uint8_t msg[24] = {
	        VNC_MSG_SET_DESKTOP_SIZE,
	        0,
	        (uint8_t)(width >> 8),
	        (uint8_t)width,
	        (uint8_t)(height >> 8),
	        (uint8_t)height,
	        1,
	        0, /* one screen: id 0 at (0, 0), the same size, no flags */
	        0,
	        0,
	        0,
	        0,
	        0,
	        0,
	        0,
	        0,
	        (uint8_t)(width >> 8),
	        (uint8_t)width,
	        (uint8_t)(height >> 8),
	        (uint8_t)height,
	        0,
	        0,
	        0,
	        0,
	};

	return write_exact(fd, msg, sizeof(msg));
}
