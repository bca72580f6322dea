/* SPDX-License-Identifier: GPL-2.0 */
/* What both roles of pcpd share: logging (stderr or syslog), clocks, one
 * daemon per database, and the limits and schedules both follow. */
#ifndef LW4O6_PCPD_DAEMON_H
#define LW4O6_PCPD_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_ERR_   0
#define LOG_WARN_  1
#define LOG_INFO_  2
#define LOG_DEBUG_ 3

void pcpd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pcpd_set_log_level(int level);
/* Sends the log to syslog instead of stderr. */
void pcpd_log_to_syslog(void);

uint64_t pcpd_now(void);    /* wall clock, seconds */
uint64_t pcpd_now_ms(void); /* monotonic, milliseconds */
uint64_t pcpd_now_ns(void); /* monotonic, nanoseconds (the ICMP rate limits) */
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC  1000000000ull

/* Datagrams a readable socket is drained of before the loop turns again:
 * one busy socket does not starve the others. */
#define PCPD_READ_BURST 64

/* An IPv4/UDP datagram carrying PCP (a message is at most 1100 octets,
 * RFC 6887 §7) as pcpd builds it: within an Ethernet MTU. */
#define PCPD_PCP_PACKET_MAX 1500

/* Hop limit of the IPv6 packets pcpd sends into a softwire where the data
 * plane's configuration names none. */
#define PCPD_HOP_LIMIT 64

/* RFC 6887 §14.1.3: after a state loss a server repeats its ANNOUNCE; both
 * roles send PCPD_ANNOUNCE_ROUNDS of them, round n (from 0) n seconds after
 * the one before. */
#define PCPD_ANNOUNCE_ROUNDS 3
uint64_t pcpd_announce_delay_ms(unsigned round);

/* One daemon per database (both roles): an exclusive flock on DATABASE.lock,
 * held until exit. 0, or a negative errno with the message in err. */
int pcpd_lock_database(const char *database, char *err, size_t errlen);

/* One daemon per data plane and role, whatever its database: an exclusive
 * flock on PCPD_LOCK_DIR/pcpd-ROLE-<pin root, escaped>.lock, held until
 * exit. A file of its own, not the pin root, which binding writers flock.
 * 0, or a negative errno with the message in err. */
#define PCPD_LOCK_DIR "/run/lw4o6"
int pcpd_lock_pin_root(const char *pin_root, const char *role, char *err, size_t errlen);

#endif
