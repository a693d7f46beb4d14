/* SPDX-License-Identifier: MIT */
/*
 * The Mesa driver on the host (drm-shim over libvgpu, run_on_shim.sh): GLES 2 through EGL surfaceless.
 * Fails unless GL_RENDERER names vgpu (Mesa falls back to software silently). Clears the default
 * framebuffer and FBOs (RGBA8 texture, RGB565 renderbuffer) to several colours and reads back exact pixels,
 * clears scissored regions, copies with glCopyTexSubImage2D, and runs many frames. The expected pixels are
 * the clear colours themselves (each c / 255 with integer c, exact in UNORM8; 565 values chosen exact).
 * TAP output.
 */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 64
#define H 48

static int test_count, failures;

static void ok(bool pass, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", pass ? "ok" : "not ok", ++test_count);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!pass)
		failures++;
}

static void die(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

static void init_egl(void)
{
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
	        (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
	if (!get_display)
		die("no eglGetPlatformDisplayEXT: is LD_LIBRARY_PATH pointing at build-mesa's libEGL?");
	EGLDisplay dpy = get_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, NULL, NULL))
		die("EGL surfaceless display failed to initialise");
	static const EGLint config_attribs[] = {EGL_SURFACE_TYPE,
	                                        EGL_PBUFFER_BIT,
	                                        EGL_RENDERABLE_TYPE,
	                                        EGL_OPENGL_ES2_BIT,
	                                        EGL_RED_SIZE,
	                                        8,
	                                        EGL_GREEN_SIZE,
	                                        8,
	                                        EGL_BLUE_SIZE,
	                                        8,
	                                        EGL_ALPHA_SIZE,
	                                        8,
	                                        EGL_NONE};
	EGLConfig config;
	EGLint count = 0;
	if (!eglChooseConfig(dpy, config_attribs, &config, 1, &count) || count < 1)
		die("no RGBA8888 pbuffer config");
	static const EGLint pbuffer_attribs[] = {EGL_WIDTH, W, EGL_HEIGHT, H, EGL_NONE};
	EGLSurface surface = eglCreatePbufferSurface(dpy, config, pbuffer_attribs);
	if (surface == EGL_NO_SURFACE)
		die("eglCreatePbufferSurface failed");
	eglBindAPI(EGL_OPENGL_ES_API);
	static const EGLint context_attribs[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
	EGLContext context = eglCreateContext(dpy, config, EGL_NO_CONTEXT, context_attribs);
	if (context == EGL_NO_CONTEXT || !eglMakeCurrent(dpy, surface, surface, context))
		die("cannot make a GLES 2 context current");
}

/* Reads the whole W x H framebuffer; checks pixel (x, y) against rgba. */
static uint8_t pixels[W * H * 4];

static void read_back(void)
{
	memset(pixels, 0xa5, sizeof(pixels));
	glReadPixels(0, 0, W, H, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
}

static bool pixel_is(int x, int y, const uint8_t rgba[4])
{
	return memcmp(&pixels[(y * W + x) * 4], rgba, 4) == 0;
}

/* Every pixel inside [x0, x1) x [y0, y1) is `in`, every other one `out` (NULL: no check outside). */
static bool region_is(int x0, int y0, int x1, int y1, const uint8_t in[4], const uint8_t *out, int *bad_x,
                      int *bad_y)
{
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			bool inside = x >= x0 && x < x1 && y >= y0 && y < y1;
			if ((inside && !pixel_is(x, y, in)) || (!inside && out && !pixel_is(x, y, out))) {
				*bad_x = x, *bad_y = y;
				return false;
			}
		}
	}
	return true;
}

static void clear_to(const uint8_t c[4])
{
	glClearColor(c[0] / 255.0f, c[1] / 255.0f, c[2] / 255.0f, c[3] / 255.0f);
	glClear(GL_COLOR_BUFFER_BIT);
}

static void check_full_clear(const char *what, const uint8_t c[4])
{
	int bx = -1, by = -1;
	clear_to(c);
	read_back();
	bool pass = region_is(0, 0, W, H, c, NULL, &bx, &by);
	ok(pass && glGetError() == GL_NO_ERROR, "%s: clear to (%u,%u,%u,%u) reads back exactly%s", what, c[0],
	   c[1], c[2], c[3], pass ? "" : " (first wrong pixel below)");
	if (!pass) {
		const uint8_t *p = &pixels[(by * W + bx) * 4];
		printf("# pixel (%d,%d) = (%u,%u,%u,%u)\n", bx, by, p[0], p[1], p[2], p[3]);
	}
}

static const uint8_t colours[][4] = {
        {0, 0, 0, 255},   {255, 255, 255, 255}, {255, 0, 0, 255}, {0, 255, 0, 255},
        {0, 0, 255, 255}, {51, 102, 153, 204},  {1, 128, 254, 0},
};

static void check_clears(const char *what)
{
	for (unsigned i = 0; i < sizeof(colours) / sizeof(colours[0]); i++)
		check_full_clear(what, colours[i]);
}

static void check_scissor(const char *what)
{
	static const uint8_t red[4] = {255, 0, 0, 255}, green[4] = {0, 255, 0, 255};
	int bx = -1, by = -1;

	clear_to(red);
	glEnable(GL_SCISSOR_TEST);
	glScissor(5, 7, 20, 11);
	clear_to(green);
	glDisable(GL_SCISSOR_TEST);
	read_back();
	/* glReadPixels and glScissor share GL's lower-left origin. */
	ok(region_is(5, 7, 25, 18, green, red, &bx, &by), "%s: scissored clear covers exactly (5,7)-(25,18)",
	   what);
	if (bx >= 0)
		printf("# first wrong pixel (%d,%d)\n", bx, by);

	/* A scissor reaching past the framebuffer is clipped to it. */
	clear_to(red);
	glEnable(GL_SCISSOR_TEST);
	glScissor(W - 4, H - 3, 100, 100);
	clear_to(green);
	glDisable(GL_SCISSOR_TEST);
	read_back();
	ok(region_is(W - 4, H - 3, W, H, green, red, &bx, &by),
	   "%s: scissor past the edge clears the corner only", what);
}

static GLuint make_fbo_texture(GLuint *texture)
{
	GLuint fbo;
	glGenTextures(1, texture);
	glBindTexture(GL_TEXTURE_2D, *texture);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, W, H, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, *texture, 0);
	ok(glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE,
	   "RGBA8 texture FBO is complete");
	return fbo;
}

static void check_rgb565(void)
{
	GLuint rb, fbo;
	glGenRenderbuffers(1, &rb);
	glBindRenderbuffer(GL_RENDERBUFFER, rb);
	glRenderbufferStorage(GL_RENDERBUFFER, GL_RGB565, W, H);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, rb);
	ok(glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE,
	   "RGB565 renderbuffer FBO is complete");
	/* 565 holds 0 and 255 exactly in every channel. */
	static const uint8_t c[][4] = {{255, 0, 255, 255}, {0, 255, 0, 255}, {255, 255, 255, 255}};
	for (unsigned i = 0; i < 3; i++)
		check_full_clear("RGB565 renderbuffer", c[i]);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &fbo);
	glDeleteRenderbuffers(1, &rb);
}

/* glCopyTexSubImage2D from the default framebuffer into the FBO texture, read back through the FBO. */
static void check_copy(GLuint fbo, GLuint texture)
{
	static const uint8_t blue[4] = {0, 0, 255, 255}, yellow[4] = {255, 255, 0, 255};
	int bx = -1, by = -1;

	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	clear_to(blue);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	clear_to(yellow);
	glBindTexture(GL_TEXTURE_2D, texture);
	glCopyTexSubImage2D(GL_TEXTURE_2D, 0, 10, 4, 2, 3, 16, 8);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	read_back();
	ok(region_is(10, 4, 26, 12, yellow, blue, &bx, &by) && glGetError() == GL_NO_ERROR,
	   "glCopyTexSubImage2D copies a 16x8 rectangle into the texture");
	if (bx >= 0)
		printf("# first wrong pixel (%d,%d)\n", bx, by);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

static void check_many_frames(void)
{
	int bad = 0;
	for (int frame = 0; frame < 300; frame++) {
		uint8_t c[4] = {(uint8_t)frame, (uint8_t)(255 - frame), (uint8_t)(frame * 7), 255};
		clear_to(c);
		uint8_t p[4];
		glReadPixels(frame % W, frame % H, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, p);
		bad += memcmp(p, c, 4) != 0;
	}
	ok(bad == 0, "300 frames of clear + read back: %d wrong", bad);
}

int main(void)
{
	init_egl();
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	printf("# GL_RENDERER: %s\n# GL_VERSION: %s\n", renderer ? renderer : "(null)",
	       (const char *)glGetString(GL_VERSION));
	if (!renderer || !strstr(renderer, "vgpu"))
		die("GL_RENDERER does not name vgpu: Mesa fell back to another driver (is vgpu_dri.so built "
		    "and "
		    "LIBGL_DRIVERS_PATH set? see the stderr lines above)");
	ok(true, "GL_RENDERER names vgpu");

	check_clears("default framebuffer");
	check_scissor("default framebuffer");

	GLuint texture;
	GLuint fbo = make_fbo_texture(&texture);
	check_clears("RGBA8 texture FBO");
	check_scissor("RGBA8 texture FBO");
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	check_rgb565();
	check_copy(fbo, texture);
	check_many_frames();
	glDeleteFramebuffers(1, &fbo);
	glDeleteTextures(1, &texture);

	printf("1..%d\n", test_count);
	return failures ? 1 : 0;
}
