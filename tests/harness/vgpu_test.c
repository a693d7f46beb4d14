#include "vgpu_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int current_failed;

void vt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	current_failed = 1;
	printf("# %s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int vt_main(const struct vt_case *cases, size_t count, int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	size_t selected = 0, number = 0;
	int any_failed = 0;

	for (size_t i = 0; i < count; i++)
		if (!filter || strstr(cases[i].name, filter))
			selected++;
	if (selected == 0) {
		fprintf(stderr, "no test case matches '%s'; run without an argument to list them all\n",
			filter ? filter : "");
		return 2;
	}
	printf("1..%zu\n", selected);
	for (size_t i = 0; i < count; i++) {
		if (filter && !strstr(cases[i].name, filter))
			continue;
		current_failed = 0;
		cases[i].fn();
		printf("%sok %zu - %s\n", current_failed ? "not " : "", ++number, cases[i].name);
		fflush(stdout);
		any_failed |= current_failed;
	}
	return any_failed;
}
