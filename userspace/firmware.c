// SPDX-License-Identifier: GPL-2.0
/*
 * Firmware and boot loader time, from ACPI's Firmware Performance Data
 * Table, which the kernel shows in /sys/firmware/acpi/fpdt/boot/: `save`
 * copies its values into a "# firmware" header line, and the reader turns
 * them into the firmware and loader phases before the kernel. The values
 * are nanoseconds on the firmware's timer, from the processor's reset; the
 * kernel's clock starts at 0 after them, so they are durations, not times
 * on the capture's axis.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "capture.h"

/* The FPDT boot record's fields, as the kernel names its files. */
static const char *const fpdt_keys[] = {
	"firmware_start_ns", "bootloader_load_ns", "bootloader_launch_ns",
	"exitbootservice_start_ns", "exitbootservice_end_ns",
};
#define NKEYS (sizeof(fpdt_keys) / sizeof(fpdt_keys[0]))

/* Digits only (one trailing newline allowed), at most 19 of them. */
static int parse_ns(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i, n = strlen(s);

	if (n && s[n - 1] == '\n')
		n--;
	if (!n || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* A small sysfs file, read whole or not at all. */
static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0 || (size_t)n >= size - 1)
		return -1;
	buf[n] = '\0';
	return 0;
}

int bst_firmware_write(FILE *out, const char *sysfs)
{
	char dir[4096], path[4200], buf[64];
	struct stat st;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/firmware/acpi/fpdt/boot", sysfs);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return 0;
	fputs("# firmware firmware_source=fpdt", out);
	for (i = 0; i < NKEYS; i++) {
		uint64_t v;

		snprintf(path, sizeof(path), "%s/%s", dir, fpdt_keys[i]);
		/* A value that is missing or not a number is left out, never guessed. */
		if (read_small(path, buf, sizeof(buf)) || parse_ns(buf, &v))
			continue;
		fprintf(out, " %s=%" PRIu64, fpdt_keys[i], v);
	}
	fputc('\n', out);
	return 1;
}

static int header_ns(const struct bst_capture *cap, const char *key,
		     uint64_t *out)
{
	const char *v = bst_header_get(cap, key);

	*out = 0;
	return v && !parse_ns(v, out) ? 0 : -1;
}

/*
 * The firmware runs from its start (the end of the processor's reset)
 * until it starts the OS loader (StartImage; LoadImage if that was not
 * recorded); the loader, and the kernel's EFI stub, until ExitBootServices
 * returns. A value of 0 is one the firmware did not record.
 */
void bst_firmware_read(const struct bst_capture *cap, struct bst_firmware *fw)
{
	uint64_t start, load, launch, ebs_start, ebs_end, to_loader, to_kernel;
	const char *src = bst_header_get(cap, "firmware_source");

	memset(fw, 0, sizeof(*fw));
	fw->recorded = src != NULL;
	header_ns(cap, "firmware_start_ns", &start);
	header_ns(cap, "bootloader_load_ns", &load);
	header_ns(cap, "bootloader_launch_ns", &launch);
	header_ns(cap, "exitbootservice_start_ns", &ebs_start);
	header_ns(cap, "exitbootservice_end_ns", &ebs_end);
	if (!src)
		return;
	to_loader = launch ? launch : load;
	to_kernel = ebs_end ? ebs_end : ebs_start;
	if (to_loader && to_loader >= start) {
		fw->known = 1;
		fw->firmware_ns = to_loader - start;
		if (to_kernel >= to_loader) {
			fw->loader_known = 1;
			fw->loader_ns = to_kernel - to_loader;
		}
	} else if (to_kernel && to_kernel >= start) {
		/* No loader times: firmware and loader together. */
		fw->known = 1;
		fw->firmware_ns = to_kernel - start;
	}
}
