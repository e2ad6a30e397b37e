// SPDX-License-Identifier: GPL-2.0
/* Critical chains: what a milestone waited for, as far as keys prove it. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"

static const char capture[] =
	"# bootstamps 1\n"
	"1 0.010000000 kernel.start linux release=6.1.0 src=kmsg\n"
	"2 1.000000000 init.exec init path=/init pid=1 phase=initramfs src=kmsg\n"
	/* Replayed at load: its real times are unknown. */
	"3 1.500000000 net.register eth1 ifindex=3 parent=0000:00:07.0 driver=virtio_net replay=1\n"
	"4 1.500000000 net.ipv4 eth1 ifindex=3 addr=10.0.3.15/24 replay=1\n"
	"5 2.000000000 probe.start 0000:00:03.0 driver=virtio-pci bus=pci pid=228\n"
	"6 2.010000000 probe.start virtio0 driver=virtio_blk bus=virtio pid=228\n"
	"7 2.020000000 disk.add vda parent=virtio0 driver=virtio_blk\n"
	"8 2.030000000 disk.partitions vda count=1 dev=254:0 rc=0 dur_ns=10000000 start=7\n"
	"9 2.040000000 probe.end virtio0 driver=virtio_blk bus=virtio rc=0 dur_ns=30000000 start=6 pid=228\n"
	"10 2.050000000 probe.end 0000:00:03.0 driver=virtio-pci bus=pci rc=0 dur_ns=50000000 start=5 pid=228\n"
	/* ENA defers twice, then registers its interface in the third try. */
	"11 3.000000000 probe.start 0000:00:01.0 driver=ena bus=pci pid=29\n"
	"12 3.600000000 probe.end 0000:00:01.0 driver=ena bus=pci rc=-517 dur_ns=600000000 start=11 pid=29\n"
	"13 4.000000000 probe.start 0000:00:01.0 driver=ena bus=pci pid=29\n"
	"14 4.600000000 probe.end 0000:00:01.0 driver=ena bus=pci rc=-517 dur_ns=600000000 start=13 pid=29\n"
	"15 5.000000000 probe.start 0000:00:01.0 driver=ena bus=pci pid=29\n"
	"16 5.100000000 net.register eth0 ifindex=2 parent=0000:00:01.0 driver=ena\n"
	"17 5.200000000 probe.end 0000:00:01.0 driver=ena bus=pci rc=0 dur_ns=200000000 start=15 pid=29\n"
	"18 5.300000000 net.rename ens5 ifindex=2 parent=0000:00:01.0 driver=ena\n"
	"19 5.400000000 net.up ens5 ifindex=2 parent=0000:00:01.0 driver=ena\n"
	"20 5.500000000 net.carrier ens5 ifindex=2 parent=0000:00:01.0 driver=ena\n"
	"21 6.000000000 net.ipv4 ens5 ifindex=2 addr=10.0.2.15/24 parent=0000:00:01.0 driver=ena\n"
	/* No parent: nothing proves what registered it. */
	"22 6.100000000 net.register dummy0 ifindex=4 parent= driver=\n"
	"23 6.200000000 net.ipv4 dummy0 ifindex=4 addr=10.9.9.9/8 parent= driver=\n"
	/* A disk whose name is a prefix of the root's, ready later: not it. */
	"24 6.500000000 disk.add vd parent= driver=\n"
	"25 6.600000000 disk.partitions vd count=0 dev=253:0 rc=0 dur_ns=100000000 start=24\n"
	"26 7.000000000 fs.mount vda1 fstype=ext4 dev=254:1 source=/dev/vda1\n"
	"27 7.000000000 root.mount vda1 fstype=ext4 dev=254:1 by=initramfs mount=26\n"
	"28 7.100000000 init.exec init path=/sbin/init pid=1 phase=root\n"
	"29 8.000000000 mark boot-done pid=1\n"
	"30 9.000000000 exec sshd path=/usr/sbin/sshd pid=500 ppid=1\n";

struct fixture {
	struct bst_capture cap;
	struct bst_model model;
	struct bst_boot boot;
	struct bst_chains chains;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct bst_error err;
	char *copy = strdup(capture);

	assert_non_null(fx);
	assert_non_null(copy);
	assert_int_equal(bst_parse_text("cap.txt", copy, &fx->cap, &err), 0);
	assert_int_equal(bst_model_build(&fx->cap, &fx->model, &err), 0);
	assert_int_equal(bst_boot_build(&fx->cap, &fx->boot), 0);
	assert_int_equal(bst_chains_build(&fx->cap, &fx->model, &fx->boot, &fx->chains), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	bst_chains_free(&fx->chains);
	bst_boot_free(&fx->boot);
	bst_model_free(&fx->model);
	bst_capture_free(&fx->cap);
	free(fx);
	return 0;
}

static const struct bst_chain *chain_to(const struct fixture *fx, const char *to)
{
	size_t i;

	for (i = 0; i < fx->chains.n; i++)
		if (!strcmp(fx->chains.chains[i].to, to))
			return &fx->chains.chains[i];
	fail_msg("no chain to %s", to);
	return NULL;
}

/* The chain's links by event seq, target first. */
static void expect_seqs(const struct bst_chain *ch, const unsigned long *seq, size_t n)
{
	size_t i;

	if (ch->nlinks != n)
		fail_msg("chain to %s has %zu links, not %zu (first: %s)", ch->to,
			 ch->nlinks, n, ch->links[0].name);
	for (i = 0; i < n; i++)
		if (ch->links[i].ev->seq != seq[i])
			fail_msg("chain to %s, link %zu: %s (seq %lu), not seq %lu",
				 ch->to, i, ch->links[i].name, ch->links[i].ev->seq, seq[i]);
}

static void test_boot_end_waits_for_root_disk(void **state)
{
	struct fixture *fx = *state;
	/* mark <- /sbin/init <- root.mount <- vda ready <- vda added <- virtio_blk's probe. */
	static const unsigned long want[] = { 29, 28, 27, 8, 7, 9 };
	const struct bst_chain *ch = chain_to(fx, "boot end");

	assert_ptr_equal(ch, &fx->chains.chains[0]);
	expect_seqs(ch, want, 6);
	assert_string_equal(ch->links[5].name, "probe virtio0 virtio_blk");
	assert_int_equal(ch->links[5].t_ns, 2010000000ULL);
	assert_int_equal(ch->links[5].earlier_attempts, 0);
}

static void test_address_waits_for_probe(void **state)
{
	struct fixture *fx = *state;
	/* ipv4 <- carrier <- up <- register (renamed since) <- ENA's third try. */
	static const unsigned long want[] = { 21, 20, 19, 16, 17 };
	const struct bst_chain *ch = chain_to(fx, "net.ipv4 ens5");
	const struct bst_link *probe = &ch->links[4];

	expect_seqs(ch, want, 5);
	assert_non_null(probe->probe);
	assert_int_equal(probe->t_ns, 5000000000ULL);
	assert_int_equal(probe->earlier_attempts, 2);
	assert_int_equal(probe->earlier_ns, 1200000000ULL);
}

static void test_stops_where_keys_stop(void **state)
{
	struct fixture *fx = *state;
	static const unsigned long replayed[] = { 4 }, unparented[] = { 23, 22 };

	expect_seqs(chain_to(fx, "net.ipv4 eth1"), replayed, 1);
	expect_seqs(chain_to(fx, "net.ipv4 dummy0"), unparented, 2);
	assert_int_equal(fx->chains.n, 4);
	assert_int_equal(fx->chains.more, 0);
}

static void test_text(void **state)
{
	struct fixture *fx = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	bst_print_chains(f, &fx->chains);
	fclose(f);
	if (!strstr(buf, "Critical chain to net.ipv4 ens5\n"
			 "net.ipv4 ens5 @6.000s +500ms\n"
			 "`-net.carrier ens5 @5.500s +100ms\n"
			 "  `-net.up ens5 @5.400s +300ms\n"
			 "    `-net.register eth0 @5.100s +100ms\n"
			 "      `-probe 0000:00:01.0 ena @5.000s (ran 200ms, rc 0), after 2 earlier attempts (1.200s)\n") ||
	    !strstr(buf, "  `-root.mount vda1 @7.000s +4.970s\n"))
		fail_msg("%s", buf);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_end_waits_for_root_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_waits_for_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stops_where_keys_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
