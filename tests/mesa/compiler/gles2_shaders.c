// SPDX-License-Identifier: MIT
/* The compiler behind st/mesa: GLSL ES shader pairs go through the real GL stack (glsl_to_nir, st/mesa's
 * lowering, the vgpu driver's shader CSOs) and are drawn once; the driver compiles both variants at the draw.
 * With VGPU_SHADERDB=1 it prints one statistics line per compiled variant and a "not compiled" line for a
 * shader it refuses, on stderr, which this test captures. TAP output.
 *   gles2_shaders CORPUS_DIR   (mesa/src/gallium/drivers/vgpu/compiler/tests/corpus) */
#include <EGL/egl.h>
#include <GLES2/gl2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_text(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strdup(buf);
}

static GLuint shader(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;
	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		char log[512];
		glGetShaderInfoLog(s, sizeof(log), NULL, log);
		printf("# GLSL compile failed: %s\n", log);
	}
	return s;
}

/* What the driver wrote to stderr since the last call (stderr goes to `capture`). */
static void read_capture(FILE *capture, long *pos, char *out, size_t size)
{
	fflush(stderr);
	fseek(capture, *pos, SEEK_SET);
	size_t n = fread(out, 1, size - 1, capture);
	out[n] = 0;
	*pos += (long)n;
}

static unsigned count(const char *text, const char *what)
{
	unsigned n = 0;
	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

int main(int argc, char **argv)
{
	static const char *const pairs[][2] = {
		{"cube_lit.vert", "cube_lit.frag"},
		{"cube_textured.vert", "cube_textured.frag"},
		{"quad_textured.vert", "quad_textured.frag"},
		{"phong.vert", "phong.frag"},
		{"effects.vert", "effects.frag"},
	};
	const unsigned n = sizeof(pairs) / sizeof(pairs[0]);
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	setenv("VGPU_SHADERDB", "1", 1);
	FILE *capture = tmpfile();
	if (!capture || dup2(fileno(capture), 2) < 0) {
		printf("Bail out! cannot capture stderr\n");
		return 1;
	}
	setvbuf(stderr, NULL, _IONBF, 0);

	EGLDisplay d = eglGetDisplay(EGL_DEFAULT_DISPLAY);
	EGLint ctx_attr[] = {EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE};
	EGLContext c = EGL_NO_CONTEXT;
	if (eglInitialize(d, NULL, NULL) && eglBindAPI(EGL_OPENGL_ES_API))
		c = eglCreateContext(d, NULL, EGL_NO_CONTEXT, ctx_attr);
	if (c == EGL_NO_CONTEXT || !eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, c)) {
		printf("Bail out! no EGL surfaceless GLES 2 context\n");
		return 1;
	}
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	if (!renderer || !strstr(renderer, "vgpu")) {
		printf("Bail out! GL_RENDERER is '%s', not the vgpu driver\n", renderer ? renderer : "(none)");
		return 1;
	}
	printf("1..%u\n", n);

	GLuint tex, fb;
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, 16, 16, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
	glGenFramebuffers(1, &fb);
	glBindFramebuffer(GL_FRAMEBUFFER, fb);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex, 0);

	long pos = 0;
	char text[1 << 14];
	read_capture(capture, &pos, text, sizeof(text)); /* whatever context creation printed */
	int status = 0;
	for (unsigned i = 0; i < n; i++) {
		char *vs = read_text(argv[1], pairs[i][0]), *fs = read_text(argv[1], pairs[i][1]);
		if (!vs || !fs) {
			printf("Bail out! cannot read %s or %s in %s\n", pairs[i][0], pairs[i][1], argv[1]);
			return 1;
		}
		GLuint p = glCreateProgram();
		glAttachShader(p, shader(GL_VERTEX_SHADER, vs));
		glAttachShader(p, shader(GL_FRAGMENT_SHADER, fs));
		glLinkProgram(p);
		glUseProgram(p);
		glDrawArrays(GL_TRIANGLES, 0, 3);
		glFinish();
		read_capture(capture, &pos, text, sizeof(text));
		int ok = count(text, "vertex shader:") == 1 && count(text, "fragment shader:") == 1 &&
		         !strstr(text, "not compiled") && glGetError() == GL_NO_ERROR;
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			printf("# %s\n", line);
		printf("%sok %u - %s + %s compiled by the driver\n", ok ? "" : "not ", i + 1, pairs[i][0],
		       pairs[i][1]);
		status |= !ok;
		glDeleteProgram(p);
		free(vs);
		free(fs);
	}
	return status;
}
