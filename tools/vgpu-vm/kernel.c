#include "kernel.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Linux x86 boot protocol (Documentation/arch/x86/boot.rst). */
#define BOOT_SETUP_SECTS     0x1f1
#define BOOT_HEADER_MAGIC    0x202
#define BOOT_VERSION         0x206
#define BOOT_KERNEL_VERSION  0x20e
#define BOOT_PAYLOAD_OFFSET  0x248
#define BOOT_PAYLOAD_LENGTH  0x24c
#define BOOT_MIN_PAYLOAD_VER 0x208
/* Every x86 compressed payload ends with its decompressed size, 4 bytes the decompressors do not expect. */
#define PAYLOAD_SIZE_TRAILER     4
#define XEN_ELFNOTE_PHYS32_ENTRY 18

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *newest_boot_kernel(void)
{
	DIR *d = opendir("/boot");
	char *best = NULL;
	struct dirent *entry;
	while (d && (entry = readdir(d))) {
		if (strncmp(entry->d_name, "vmlinuz-", 8) != 0)
			continue;
		if (!best || strverscmp(entry->d_name, best) > 0) {
			free(best);
			best = xstrdup(entry->d_name);
		}
	}
	if (d)
		closedir(d);
	if (!best)
		return NULL;
	char *path = xasprintf("/boot/%s", best);
	free(best);
	return path;
}

static char *first_word(const char *s, size_t max)
{
	size_t len = 0;
	while (len < max && s[len] && s[len] != ' ' && s[len] != '\n')
		len++;
	return len ? strndup(s, len) : NULL;
}

/* The release string, from the bzImage header or, for an ELF vmlinux, from its "Linux version" banner. */
static char *image_release(const struct buf *head, const char *path)
{
	const unsigned char *h = (const unsigned char *)head->data;
	if (head->len > BOOT_KERNEL_VERSION + 2 && memcmp(h + BOOT_HEADER_MAGIC, "HdrS", 4) == 0) {
		size_t at = (size_t)le16(h + BOOT_KERNEL_VERSION) + 0x200;
		if (at < head->len)
			return first_word(head->data + at, head->len - at);
		return NULL;
	}
	struct buf whole = {0};
	char *release = NULL;
	if (read_file(path, &whole)) {
		static const char banner[] = "Linux version ";
		const char *found = memmem(whole.data, whole.len, banner, sizeof(banner) - 1);
		if (found) {
			found += sizeof(banner) - 1;
			release = first_word(found, whole.len - (size_t)(found - whole.data));
		}
	}
	buf_free(&whole);
	return release;
}

static bool read_head(const char *path, struct buf *head)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char chunk[32768];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	close(fd);
	if (n < 0)
		return false;
	buf_append(head, chunk, (size_t)n);
	return true;
}

bool kernel_locate(struct kernel *k, const char *path)
{
	*k = (struct kernel){0};
	struct stat st;
	if (!path) {
		k->image = newest_boot_kernel();
		if (!k->image) {
			vm_error("no kernel in /boot; run scripts/install-deps.sh guest, or pass -k PATH");
			return false;
		}
	} else if (stat(path, &st) < 0) {
		vm_error("kernel %s: %s", path, strerror(errno));
		return false;
	} else if (S_ISDIR(st.st_mode)) {
		/* A build tree: its vmlinux boots directly when it has a PVH entry (CONFIG_PVH), else its
		 * bzImage; its modules.order lists its modules. */
		char *vmlinux = xasprintf("%s/vmlinux", path);
		char *bzimage = xasprintf("%s/arch/x86/boot/bzImage", path);
		k->image = xstrdup(elf_has_pvh_entry(vmlinux) || !is_file(bzimage) ? vmlinux : bzimage);
		k->module_dir = xstrdup(path);
		free(vmlinux);
		free(bzimage);
	} else {
		k->image = xstrdup(path);
	}

	struct buf head = {0};
	if (!read_head(k->image, &head)) {
		vm_error("cannot read kernel %s: %s", k->image, strerror(errno));
		buf_free(&head);
		return false;
	}
	k->release = image_release(&head, k->image);
	buf_free(&head);
	if (!k->release) {
		vm_error("%s is neither a bzImage nor a vmlinux with a version banner; pass a kernel with -k",
		         k->image);
		return false;
	}
	if (!k->module_dir)
		k->module_dir = xasprintf("/lib/modules/%s", k->release);
	return true;
}

bool elf_has_pvh_entry(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool found = false;
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
		goto out;
	for (unsigned i = 0; i < eh.e_phnum && !found; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != sizeof(ph))
			break;
		if (ph.p_type != PT_NOTE || ph.p_filesz > 1 << 20)
			continue;
		unsigned char *notes = malloc(ph.p_filesz);
		if (!notes || pread(fd, notes, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz) {
			free(notes);
			continue;
		}
		for (size_t at = 0; at + sizeof(Elf64_Nhdr) <= ph.p_filesz;) {
			Elf64_Nhdr nh;
			memcpy(&nh, notes + at, sizeof(nh));
			size_t name_at = at + sizeof(nh);
			size_t desc_at = name_at + ((nh.n_namesz + 3) & ~3u);
			if (nh.n_namesz == 4 && name_at + 4 <= ph.p_filesz &&
			    memcmp(notes + name_at, "Xen", 4) == 0 && nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY)
				found = true;
			at = desc_at + ((nh.n_descsz + 3) & ~3u);
		}
		free(notes);
	}
out:
	close(fd);
	return found;
}

static bool find_payload(struct kernel *k)
{
	struct buf head = {0};
	bool ok = read_head(k->image, &head);
	const unsigned char *h = (const unsigned char *)head.data;
	ok = ok && head.len > BOOT_PAYLOAD_LENGTH + 4 && memcmp(h + BOOT_HEADER_MAGIC, "HdrS", 4) == 0 &&
	     le16(h + BOOT_VERSION) >= BOOT_MIN_PAYLOAD_VER;
	if (ok) {
		unsigned setup_sects = h[BOOT_SETUP_SECTS] ? h[BOOT_SETUP_SECTS] : 4;
		k->payload_offset = (long)(setup_sects + 1) * 512 + le32(h + BOOT_PAYLOAD_OFFSET);
		k->payload_len = le32(h + BOOT_PAYLOAD_LENGTH);
		ok = k->payload_len > PAYLOAD_SIZE_TRAILER && (size_t)k->payload_offset + 8 <= head.len;
	}
	if (ok) {
		k->payload_decompressor = decompressor_for_magic(h + k->payload_offset, 8);
		k->payload_len -= PAYLOAD_SIZE_TRAILER;
		ok = k->payload_decompressor != NULL;
	}
	buf_free(&head);
	return ok;
}

static char *cache_name(const struct kernel *k)
{
	struct stat st;
	const char *dir = cache_dir();
	if (!dir || stat(k->image, &st) < 0)
		return NULL;
	char *release = xstrdup(k->release);
	for (char *c = release; *c; c++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+", *c))
			*c = '_';
	char *name = xasprintf("%s/vmlinux-%s-%lld-%lld", dir, release, (long long)st.st_size,
	                       (long long)st.st_mtime);
	free(release);
	return name;
}

static bool unpack_payload(const struct kernel *k, const char *target)
{
	int fd = open(k->image, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct buf elf = {0};
	bool ok = decompress_fd(k->payload_decompressor, fd, k->payload_offset, k->payload_len, &elf);
	close(fd);
	char *tmp = xasprintf("%s.tmp%d", target, (int)getpid());
	FILE *f = ok ? fopen(tmp, "wb") : NULL;
	ok = f && fwrite(elf.data, 1, elf.len, f) == elf.len;
	if (f)
		ok = fclose(f) == 0 && ok;
	ok = ok && elf_has_pvh_entry(tmp) && rename(tmp, target) == 0;
	if (!ok)
		unlink(tmp);
	free(tmp);
	buf_free(&elf);
	return ok;
}

bool kernel_prepare_boot(struct kernel *k, bool dry_run)
{
	if (elf_has_pvh_entry(k->image)) {
		k->boot_path = xstrdup(k->image);
		return true;
	}
	char *cached = find_payload(k) ? cache_name(k) : NULL;
	if (cached && (dry_run || is_file(cached) || unpack_payload(k, cached))) {
		k->boot_path = cached;
		k->unpacked = true;
		return true;
	}
	if (cached)
		vm_note("could not unpack %s with %s; booting the compressed image (slower)", k->image,
		        k->payload_decompressor->argv[0]);
	free(cached);
	k->boot_path = xstrdup(k->image);
	return true;
}

void kernel_free(struct kernel *k)
{
	free(k->image);
	free(k->release);
	free(k->module_dir);
	free(k->boot_path);
	*k = (struct kernel){0};
}
