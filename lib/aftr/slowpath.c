// SPDX-License-Identifier: GPL-2.0
/* The slow path's entry point: checks that a ring-buffer record is a whole
 * struct lw_event and hands it to the builder for its type. */
#include "slowpath_priv.h"

int lw_slowpath_handle(const struct lw_slowpath_cfg *cfg, const struct lw_event *ev, size_t ev_size,
		       struct lw_slowpath_out *out)
{
	sp_out_begin(out);
	/* The record is the data plane's, but pcpd may run against another
	 * build of it: trust no length it did not check. */
	if (ev_size < sizeof(*ev) || ev->cap_len > LW_EVENT_MAX_CAPTURE ||
	    ev->cap_len > ev->pkt_len)
		return -EINVAL;
	switch (ev->type) {
	case LW_EV_DECAP_NO_BINDING: return lw_slowpath_decap_no_binding(cfg, ev, out);
	case LW_EV_ENCAP_NO_BINDING: return lw_slowpath_encap_no_binding(cfg, ev, out);
	case LW_EV_TTL_EXPIRED: return lw_slowpath_ttl_expired(cfg, ev, out);
	case LW_EV_TOO_BIG_DF: return lw_slowpath_too_big(cfg, ev, out);
	case LW_EV_ICMPV6_ERROR: return lw_slowpath_icmpv6_error(cfg, ev, out);
	case LW_EV_FRAG_NEEDED:
	case LW_EV_FRAGMENT:
		/* stateful (reassembly) and several packets out:
		 * lw_slowpath_frag_event() in slowpath_frag.h */
		return LW_SLOWPATH_NOT_HANDLED;
	default: return -EINVAL;
	}
}

const char *lw_slowpath_reason_name(enum lw_slowpath_reason r)
{
	static const char *const names[LW_SLOWPATH_REASON_MAX] = {
		[LW_SLOWPATH_SENT] = "sent",
		[LW_SLOWPATH_DISABLED] = "disabled",
		[LW_SLOWPATH_NO_SOURCE] = "no-source-address",
		[LW_SLOWPATH_ERROR_ABOUT_ERROR] = "error-about-error",
		[LW_SLOWPATH_NOT_FIRST_FRAGMENT] = "not-first-fragment",
		[LW_SLOWPATH_BAD_ADDRESS] = "not-one-host",
		[LW_SLOWPATH_ICMP_UNBOUND] = "icmp-without-binding",
		[LW_SLOWPATH_NO_SOFTWIRE] = "no-softwire",
		[LW_SLOWPATH_NOT_OUR_PACKET] = "not-our-tunnel-packet",
		[LW_SLOWPATH_NOT_RELAYED] = "not-relayed",
		[LW_SLOWPATH_MALFORMED] = "malformed",
		[LW_SLOWPATH_BAD_CHECKSUM] = "bad-checksum",
		[LW_SLOWPATH_BOUND_NOW] = "bound-now",
	};

	if ((unsigned)r >= LW_SLOWPATH_REASON_MAX || !names[r])
		return "?";
	return names[r];
}
