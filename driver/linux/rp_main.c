// SPDX-License-Identifier: GPL-2.0
/*
 * ringpipe: named ring-buffer pipes between processes, as a misc device.
 *
 *	fd = open("/dev/ringpipe", O_RDWR);
 *	ioctl(fd, RINGPIPE_IOC_BIND, &bind);	// name, flags, perm, capacity
 *	write(fd, msg, len);			// one message
 *	read(fd, buf, sizeof(buf));		// one whole message, 0 at EOF
 *
 * The device node is 0666, like /dev/net/tun: opening it grants nothing, and
 * each pipe's owner and permission bits decide who may bind to its name.
 * The ring, names and registry are driver/core's, shared with the Windows
 * driver; see driver/linux/README.md and docs/ring-format.md.
 */
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "rp_dev.h"

struct rp_registry rp_reg;
struct workqueue_struct *rp_wq;

unsigned int rp_max_capacity = 1u << 26;
module_param_named(max_capacity, rp_max_capacity, uint, 0644);
MODULE_PARM_DESC(max_capacity,
		 "largest ring a pipe may be created with, in bytes (default 64 MiB)");

static struct miscdevice rp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = RINGPIPE_DEVICE_NAME,
	.fops = &rp_fops,
	.mode = 0666,
};

static int __init rp_init(void)
{
	int ret;

	rp_limits_init();
	rp_wq = alloc_workqueue("ringpipe", WQ_UNBOUND, 0);
	if (!rp_wq)
		return -ENOMEM;
	rp_registry_init(&rp_reg, &rp_registry_ops, &rp_boot_env);
	ret = misc_register(&rp_misc);
	if (ret)
		goto out_destroy_registry;
	return 0;

out_destroy_registry:
	rp_registry_destroy(&rp_reg);
	destroy_workqueue(rp_wq);
	return ret;
}

/*
 * Files hold the module (fops.owner): the pipes left are kept ones, which
 * go with their unread messages; then no expiry work runs any more.
 */
static void __exit rp_exit(void)
{
	misc_deregister(&rp_misc);
	rp_keep_drop_all();
	destroy_workqueue(rp_wq);
	WARN_ON(rp_registry_destroy(&rp_reg) != RP_OK);
}

module_init(rp_init);
module_exit(rp_exit);

MODULE_DESCRIPTION("ringpipe: named ring-buffer pipes between processes");
MODULE_LICENSE("GPL");
