/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place in bootstamps that knows kernel versions. Everything else
 * is written against the newest API; older kernels get it from here.
 */
#ifndef _BST_COMPAT_H
#define _BST_COMPAT_H

#include <linux/version.h>
#include <linux/types.h>

/* Keep in step with BUILD_EXCLUSIVE_KERNEL in dkms.conf and the README. */
#if KERNEL_VERSION(5, 10, 0) > LINUX_VERSION_CODE
#error "bootstamps requires Linux 5.10 or newer"
#endif
#if KERNEL_VERSION(8, 0, 0) <= LINUX_VERSION_CODE
#error "bootstamps has not been ported to Linux 8.x yet"
#endif

/*
 * Turn the return value of really_probe() (and of the fallback probe
 * symbols, which pass it through) into the driver's own errno.
 *
 * 5.10: 1 = bound, 0 = the driver's probe failed (its errno is swallowed),
 *       < 0 = not attempted (deferred, supplier links).
 * 5.14+ ("driver core: Better distinguish probe errors in really_probe"):
 *       0 = bound, > 0 = the driver's errno negated, < 0 = not attempted.
 *       5.11 to 5.13 are end-of-life and untested here.
 *
 * Returns false when the errno cannot be known (5.10's swallowed failure).
 */
static inline bool bst_compat_probe_rc(long ret, int *rc)
{
#if KERNEL_VERSION(5, 14, 0) > LINUX_VERSION_CODE
	if (ret == 1) {
		*rc = 0;
		return true;
	}
	if (ret == 0)
		return false;
	*rc = (int)ret;
	return true;
#else
	*rc = ret > 0 ? (int)-ret : (int)ret;
	return true;
#endif
}

#endif /* _BST_COMPAT_H */
