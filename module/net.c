// SPDX-License-Identifier: GPL-2.0
/*
 * Network milestones: an interface registered, brought up, its link up,
 * its first IPv4 and IPv6 address. For ENA this is the chain probe ->
 * register -> link -> DHCP address that cloud-init waits on.
 *
 * Only the initial network namespace is the boot's: a container's devices
 * are not recorded (they would say nothing of the boot, tell its users'
 * addresses to readers, and let anyone with a user namespace fill the
 * store). The netdevice notifier is registered for init_net alone, so
 * loading on a container host does not replay every container's devices;
 * the address chains are global and filtered here.
 *
 * The netdevice and inetaddr chains run in process context; the inet6addr
 * chain is atomic. All handlers only record: no lock, no allocation.
 */
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/notifier.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/net_namespace.h>

#include "bootstamps.h"

/* Set while register_netdevice_notifier() replays existing devices. */
static bool bst_net_replaying;
static bool bst_inet6_on;

static void bst_net_fill(struct bst_event *ev, const struct net_device *dev)
{
	const struct device *parent = dev->dev.parent;
	int depth;

	bst_copy(ev->net.name, dev->name, &ev->flags);
	ev->net.ifindex = dev->ifindex;
	/* The first ancestor with a driver is the one that probed. */
	for (depth = 0; parent && !parent->driver && depth < 8; depth++)
		parent = parent->parent;
	if (parent) {
		bst_copy(ev->net.parent, dev_name(parent), &ev->flags);
		bst_copy(ev->net.driver, parent->driver ? parent->driver->name : "", &ev->flags);
	}
	if (READ_ONCE(bst_net_replaying))
		ev->flags |= BST_F_REPLAY;
}

/*
 * Which first-time milestones each interface has had: carrier, IPv4, and
 * IPv6 per scope. The handlers run under RTNL and (inet6) in softirq, so
 * this is a fixed table of atomics, not a walk of the store: an interface
 * takes a slot at its first such event and gives it back when it is
 * unregistered. Should more than BST_NET_SLOTS interfaces be live at once
 * (a container host's veths), the table no longer knows every interface,
 * and from then on the store is searched instead.
 */
#define BST_NET_SLOTS 256

enum bst_net_first {
	BST_NET_FIRST_CARRIER,
	BST_NET_FIRST_IPV4,
	BST_NET_FIRST_IPV6,	/* + one bit per scope, see bst_net_bit() */
};

struct bst_net_slot {
	atomic_t ifindex;	/* 0: free */
	atomic_t seen;		/* BIT(bst_net_bit()) per milestone had */
};

static struct bst_net_slot bst_net_slots[BST_NET_SLOTS];
static bool bst_net_overflowed;

static int bst_net_bit(enum bst_event_type type, int scope)
{
	if (type == BST_EV_NET_CARRIER)
		return BST_NET_FIRST_CARRIER;
	if (type == BST_EV_NET_IPV4)
		return BST_NET_FIRST_IPV4;
	/* IPv6 scopes: 0 (global), 0x10 (host), 0x20 (link), 0x40 (site). */
	return BST_NET_FIRST_IPV6 + (scope ? clamp(fls(scope) - 4, 1, 4) : 0);
}

static struct bst_net_slot *bst_net_at(int ifindex, u32 i)
{
	return &bst_net_slots[((u32)ifindex + i) % BST_NET_SLOTS];
}

/*
 * The interface's slot; with @take, a free one is taken if it has none.
 * Slots freed by unregistered interfaces leave holes, so a lookup reads
 * the whole table (256 reads, still far less than the store's events).
 */
static struct bst_net_slot *bst_net_slot(int ifindex, bool take)
{
	u32 i;

	for (i = 0; i < BST_NET_SLOTS; i++)
		if (atomic_read(&bst_net_at(ifindex, i)->ifindex) == ifindex)
			return bst_net_at(ifindex, i);
	for (i = 0; take && i < BST_NET_SLOTS; i++) {
		struct bst_net_slot *s = bst_net_at(ifindex, i);
		int was = atomic_cmpxchg(&s->ifindex, 0, ifindex);

		/* Free, or just taken for this interface by another CPU. */
		if (!was || was == ifindex)
			return s;
	}
	return NULL;
}

/* Has this interface had an event of this type (and scope) already? */
static bool bst_net_seen_in_store(enum bst_event_type type, int ifindex,
				  int scope)
{
	u32 i = bst_store_count();

	while (i--) {
		const struct bst_event *ev = bst_store_get(i);

		if (ev && ev->type == type && ev->net.ifindex == ifindex &&
		    (scope < 0 || ev->net.scope == scope))
			return true;
	}
	return false;
}

/*
 * True if the interface had this milestone already; otherwise it has it
 * from now on (so two CPUs never both record it).
 */
static bool bst_net_seen(enum bst_event_type type, int ifindex, int scope)
{
	struct bst_net_slot *s = NULL;
	int bit = BIT(bst_net_bit(type, scope));

	if (!READ_ONCE(bst_net_overflowed))
		s = bst_net_slot(ifindex, true);
	if (!s) {
		WRITE_ONCE(bst_net_overflowed, true);
		return bst_net_seen_in_store(type, ifindex, scope);
	}
	return atomic_fetch_or(bit, &s->seen) & bit;
}

/*
 * An unregistered interface's ifindex may come back as another device.
 * No address or link event of this device follows its NETDEV_UNREGISTER.
 */
static void bst_net_forget(int ifindex)
{
	struct bst_net_slot *s = bst_net_slot(ifindex, false);

	if (s) {
		atomic_set(&s->seen, 0);
		atomic_set_release(&s->ifindex, 0);
	}
}

static struct bst_event *bst_net_event(enum bst_event_type type,
				       const struct net_device *dev)
{
	struct bst_event *ev = bst_store_reserve(type);

	if (ev)
		bst_net_fill(ev, dev);
	return ev;
}

static void bst_net_record(enum bst_event_type type,
			   const struct net_device *dev)
{
	struct bst_event *ev = bst_net_event(type, dev);

	if (ev)
		bst_store_commit(ev);
}

static void bst_net_carrier(const struct net_device *dev)
{
	if (netif_carrier_ok(dev) && !bst_net_seen(BST_EV_NET_CARRIER,
						   dev->ifindex, -1))
		bst_net_record(BST_EV_NET_CARRIER, dev);
}

static int bst_netdev_notify(struct notifier_block *nb, unsigned long action,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	/* Registered for init_net only; a device can still move out of it. */
	if ((dev->flags & IFF_LOOPBACK) || !net_eq(dev_net(dev), &init_net))
		return NOTIFY_DONE;
	switch (action) {
	case NETDEV_REGISTER:
		bst_net_record(BST_EV_NET_REGISTER, dev);
		break;
	case NETDEV_CHANGENAME:
		bst_net_record(BST_EV_NET_RENAME, dev);
		break;
	case NETDEV_UP:
		bst_net_record(BST_EV_NET_UP, dev);
		/* A link already up when the interface opens sends no CHANGE. */
		bst_net_carrier(dev);
		break;
	case NETDEV_CHANGE:
		bst_net_carrier(dev);
		break;
	case NETDEV_UNREGISTER:
		bst_net_forget(dev->ifindex);
		break;
	}
	return NOTIFY_DONE;
}

static int bst_inet_notify(struct notifier_block *nb, unsigned long action,
			   void *ptr)
{
	const struct in_ifaddr *ifa = ptr;
	const struct net_device *dev = ifa->ifa_dev->dev;
	struct bst_event *ev;

	if (action != NETDEV_UP || (dev->flags & IFF_LOOPBACK) ||
	    !net_eq(dev_net(dev), &init_net) ||
	    bst_net_seen(BST_EV_NET_IPV4, dev->ifindex, -1))
		return NOTIFY_DONE;
	ev = bst_net_event(BST_EV_NET_IPV4, dev);
	if (!ev)
		return NOTIFY_DONE;
	snprintf(ev->net.addr, sizeof(ev->net.addr), "%pI4/%u",
		 &ifa->ifa_local, ifa->ifa_prefixlen);
	bst_store_commit(ev);
	return NOTIFY_DONE;
}

/* Atomic chain: the address is added (possibly still tentative). */
static int bst_inet6_notify(struct notifier_block *nb, unsigned long action,
			    void *ptr)
{
	const struct inet6_ifaddr *ifa = ptr;
	const struct net_device *dev = ifa->idev->dev;
	struct bst_event *ev;

	if (action != NETDEV_UP || (dev->flags & IFF_LOOPBACK) ||
	    !net_eq(dev_net(dev), &init_net) ||
	    bst_net_seen(BST_EV_NET_IPV6, dev->ifindex, ifa->scope))
		return NOTIFY_DONE;
	ev = bst_net_event(BST_EV_NET_IPV6, dev);
	if (!ev)
		return NOTIFY_DONE;
	snprintf(ev->net.addr, sizeof(ev->net.addr), "%pI6c/%u", &ifa->addr,
		 ifa->prefix_len);
	ev->net.scope = ifa->scope;
	bst_store_commit(ev);
	return NOTIFY_DONE;
}

/*
 * First in the chain: NETDEV_UP makes addrconf add the IPv6 link-local
 * address, and net.up must not be stamped after the net.ipv6 it causes.
 */
static struct notifier_block bst_netdev_nb = {
	.notifier_call = bst_netdev_notify,
	.priority = INT_MAX,
};

static struct notifier_block bst_inet_nb = { .notifier_call = bst_inet_notify };
static struct notifier_block bst_inet6_nb = {
	.notifier_call = bst_inet6_notify,
};

static void bst_net_addr_exit(void)
{
	if (bst_inet6_on)
		unregister_inet6addr_notifier(&bst_inet6_nb);
	bst_inet6_on = false;
	unregister_inetaddr_notifier(&bst_inet_nb);
}

int bst_net_init(struct bst_hook_status *st)
{
	int err;

	err = register_inetaddr_notifier(&bst_inet_nb);
	if (err)
		return err;
	if (IS_ENABLED(CONFIG_IPV6))
		bst_inet6_on = !register_inet6addr_notifier(&bst_inet6_nb);
	/* Existing interfaces are replayed as REGISTER and UP, flagged. */
	WRITE_ONCE(bst_net_replaying, true);
	err = register_netdevice_notifier_net(&init_net, &bst_netdev_nb);
	WRITE_ONCE(bst_net_replaying, false);
	if (err) {
		bst_net_addr_exit();
		return err;
	}
	strscpy(st->how, bst_inet6_on ? "notifier:netdev,inet,inet6" :
		"notifier:netdev,inet", sizeof(st->how));
	return 0;
}

void bst_net_exit(void)
{
	unregister_netdevice_notifier_net(&init_net, &bst_netdev_nb);
	bst_net_addr_exit();
}
