// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* struct in6_pktinfo (RFC 3542) */
/* pcpd's sockets. PCP reaches the lwAFTR inside the softwire: the XDP
 * program passes IPv4-in-IPv6 to 192.0.0.1:5351 to the kernel (AFTR-DECAP-8),
 * and a raw IPv6 socket of protocol 4 receives the inner IPv4 packet with the
 * outer source -- the subscriber (PCPS-10) -- and, through IPV6_PKTINFO, the
 * BR address it was sent to and the interface it came in on. No tunnel
 * device exists or is needed.
 *
 * Anti-spoofing (issue 10): nothing reaches the PCP server that did not come
 * in inside a tunnel on the access side. The kernel hands the raw socket
 * IPv4-in-IPv6 to a BR address from any interface, so a packet that came
 * in elsewhere (the internet side, a management link, the host itself) is
 * dropped and counted, whatever its outer source claims (PCPS-1). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <sys/socket.h>

#include "lw4o6/pcp.h"
#include "pcpd_aftr.h"
#include "pcp_msg.h"
#include "inet_udp.h"
#include "net_csum.h"
#include "addr.h"

static int raw_socket(int family, int proto, char *err, size_t errlen, const char *what)
{
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

	if (fd < 0)
		snprintf(err, errlen, "%s socket: %s", what, strerror(errno));
	return fd;
}

int pcpd_net_open(struct pcpd *d, char *err, size_t errlen)
{
	int one = 1, zero = 0;

	d->ipip_fd = d->raw6_fd = d->raw4_fd = d->tp_fd = -1;
	d->ipip_fd = raw_socket(AF_INET6, IPPROTO_IPIP, err, errlen, "raw IPv6 (protocol 4)");
	if (d->ipip_fd < 0)
		return -errno;
	if (setsockopt(d->ipip_fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))) {
		snprintf(err, errlen, "IPV6_RECVPKTINFO: %s", strerror(errno));
		return -errno;
	}
	/* IPPROTO_RAW sockets carry whole packets (IPV6_HDRINCL / IP_HDRINCL) */
	d->raw6_fd = raw_socket(AF_INET6, IPPROTO_RAW, err, errlen, "raw IPv6");
	if (d->raw6_fd < 0)
		return -errno;
	d->raw4_fd = raw_socket(AF_INET, IPPROTO_RAW, err, errlen, "raw IPv4");
	if (d->raw4_fd < 0)
		return -errno;
	if (d->cfg.third_party_enabled) {
		char a[LW_IPV6_STRLEN];

		d->tp_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (d->tp_fd < 0 ||
		    setsockopt(d->tp_fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
		    setsockopt(d->tp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(d->tp_fd, (struct sockaddr *)&d->cfg.third_party_listen,
			 sizeof(d->cfg.third_party_listen))) {
			snprintf(err, errlen, "third-party-listen [%s]:%u: %s",
				 lw_format_ipv6(&d->cfg.third_party_listen.sin6_addr, a, sizeof(a)),
				 ntohs(d->cfg.third_party_listen.sin6_port), strerror(errno));
			return -errno;
		}
	}
	if (d->cfg.announce_ifname[0]) {
		d->announce_ifindex = if_nametoindex(d->cfg.announce_ifname);
		if (!d->announce_ifindex) {
			snprintf(err, errlen, "announce-interface %s: %s", d->cfg.announce_ifname,
				 strerror(errno));
			return -ENODEV;
		}
	}
	return 0;
}

void pcpd_net_close(struct pcpd *d)
{
	int *fds[] = { &d->ipip_fd, &d->raw6_fd, &d->raw4_fd, &d->tp_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int pcpd_send_in_tunnel(struct pcpd *d, const struct in6_addr *b4, const struct in6_addr *br,
			unsigned ifindex, __be32 dst4, uint16_t dport, const void *msg, size_t len)
{
	uint8_t pkt[PCPD_PCP_PACKET_MAX];
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
				   .sin6_addr = *b4,
				   .sin6_scope_id = ifindex };
	struct iovec iov;
	struct msghdr mh = { .msg_name = &to,
			     .msg_namelen = sizeof(to),
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct in6_pktinfo pi = { .ipi6_addr = *br, .ipi6_ifindex = ifindex };
	int n = inet_udp_build(htonl(LW_PCP_SERVER_ADDR), dst4, LW_PCP_SERVER_PORT, dport, msg, len,
			       pkt, sizeof(pkt));

	if (n < 0)
		return n;
	/* RFC 5771: 224.0.0.0/24 (the ANNOUNCE's 224.0.0.1) is link-local and
	 * never forwarded; a packet for it is sent with TTL 1 */
	if ((ntohl(dst4) & 0xffffff00u) == 0xe0000000u) {
		pkt[8] = 1;
		sp_ipv4_hdr_csum(pkt, (size_t)(pkt[0] & 0x0f) * 4);
	}
	iov.iov_base = pkt;
	iov.iov_len = (size_t)n;
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	if (sendmsg(d->ipip_fd, &mh, 0) < 0) {
		char a[LW_IPV6_STRLEN];

		pcpd_log(LOG_WARN_, "send to %s: %s", lw_format_ipv6(b4, a, sizeof(a)),
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/* One slow-path packet, from its IP header, out of the raw socket of its
 * family: the kernel routes it and adds layer 2. A fragment the slow path
 * made goes as it is (IPPROTO_RAW: the header is ours). */
int pcpd_send_ip(struct pcpd *d, unsigned dest, const uint8_t *data, size_t len)
{
	ssize_t r;

	if (dest == LW_SLOWPATH_TO_B4) {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6 };

		if (len < sizeof(struct ip6_hdr))
			return -EINVAL;
		memcpy(&to.sin6_addr, data + offsetof(struct ip6_hdr, ip6_dst),
		       sizeof(to.sin6_addr));
		r = sendto(d->raw6_fd, data, len, 0, (struct sockaddr *)&to, sizeof(to));
	} else {
		struct sockaddr_in to = { .sin_family = AF_INET };

		if (len < sizeof(struct iphdr))
			return -EINVAL;
		memcpy(&to.sin_addr, data + offsetof(struct iphdr, daddr), sizeof(to.sin_addr));
		r = sendto(d->raw4_fd, data, len, 0, (struct sockaddr *)&to, sizeof(to));
	}
	if (r < 0) {
		pcpd_log(LOG_DEBUG_, "slow path send: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int pcpd_send_raw(struct pcpd *d, const struct lw_slowpath_pkt *p)
{
	return pcpd_send_ip(d, p->dest, p->data, p->len);
}

unsigned pcpd_access_ifindex(unsigned ifindex, unsigned vid)
{
	char line[256], name[IF_NAMESIZE], parent[IF_NAMESIZE];
	unsigned found = 0, v;
	FILE *f;

	if (!vid)
		return ifindex;
	/* "acc.100 | 100 | acc": the kernel's VLAN devices of this namespace */
	f = fopen("/proc/net/vlan/config", "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%15s | %u | %15s", name, &v, parent) == 3 && v == vid &&
		    if_nametoindex(parent) == ifindex)
			found = if_nametoindex(name);
	fclose(f);
	return found;
}

void pcpd_handle_tunnel_readable(struct pcpd *d)
{
	for (int burst = 0; burst < PCPD_READ_BURST; burst++) {
		uint8_t buf[2048], resp[PCP_MAX_LEN];
		char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
		struct sockaddr_in6 from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct in6_addr br = IN6ADDR_ANY_INIT, pcp_src;
		struct inet_udp u;
		const char *why;
		char a[LW_IPV6_STRLEN];
		unsigned ifindex = 0;
		ssize_t n = recvmsg(d->ipip_fd, &mh, 0);
		int rlen;

		if (n < 0)
			return;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
				br = ((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_addr;
				ifindex = ((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_ifindex;
			}
		}
		if (!ifindex || ifindex != d->access_ifindex) {
			d->ctr.dropped++;
			d->ctr.off_access++;
			pcpd_log(LOG_DEBUG_,
				 "tunnel packet from %s on interface %u ignored: not the "
				 "access side (%u)",
				 lw_format_ipv6(&from.sin6_addr, a, sizeof(a)), ifindex,
				 d->access_ifindex);
			continue;
		}
		if (inet_udp_parse(buf, (size_t)n, &u, &why) ||
		    u.dst != htonl(LW_PCP_SERVER_ADDR) || u.dport != LW_PCP_SERVER_PORT) {
			d->ctr.dropped++;
			pcpd_log(LOG_DEBUG_, "tunnel packet ignored: %s",
				 why ? why : "not PCP to 192.0.0.1");
			continue;
		}
		/* PCPS-1: served on the BR addresses only, never on the host's
		 * other addresses (a request there must not make it a BR) */
		if (!lw_aftr_is_br(&d->maps, &br)) {
			d->ctr.dropped++;
			pcpd_log(LOG_DEBUG_, "PCP to a non-BR address ignored");
			continue;
		}
		if (d->cfg.n_subscribers &&
		    !pcpd_prefix_match(d->cfg.subscribers, d->cfg.n_subscribers, &from.sin6_addr)) {
			d->ctr.dropped++;
			pcpd_log(LOG_DEBUG_, "PCP from a source outside subscriber-allow ignored");
			continue;
		}
		pcp_addr_from_ipv4(&pcp_src, u.src);
		rlen = pcpd_serve(d, u.payload, u.len, &pcp_src, &from.sin6_addr, &br, false, false,
				  resp, sizeof(resp));
		if (rlen > 0 && pcpd_send_in_tunnel(d, &from.sin6_addr, &br, 0, u.src, u.sport,
						    resp, (size_t)rlen) == 0)
			d->ctr.responses++;
	}
}

void pcpd_handle_third_party_readable(struct pcpd *d)
{
	for (int burst = 0; burst < PCPD_READ_BURST; burst++) {
		uint8_t buf[PCP_MAX_LEN + 4], resp[PCP_MAX_LEN];
		struct sockaddr_in6 from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(d->tp_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		bool allowed;
		int rlen;

		if (n < 0)
			return;
		allowed = pcpd_prefix_match(d->cfg.acl, d->cfg.n_acl, &from.sin6_addr);
		rlen = pcpd_serve(d, buf, (size_t)n, &from.sin6_addr, NULL, &d->cfg.br, true,
				  allowed, resp, sizeof(resp));
		if (rlen > 0 &&
		    sendto(d->tp_fd, resp, (size_t)rlen, 0, (struct sockaddr *)&from, fl) >= 0)
			d->ctr.responses++;
	}
}
