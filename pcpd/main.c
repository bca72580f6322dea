// SPDX-License-Identifier: GPL-2.0
/* pcpd: the lw4o6 PCP daemon, in two roles:
 *   pcpd --role aftr --config FILE [-v] [--syslog]   the lwAFTR's PCP server
 *   pcpd --role aftr --config FILE --list-grants [--json]
 *   pcpd --role b4 --config FILE [-v] [--syslog]     the lwB4's PCP client and LAN server (b4.c)
 *   pcpd --role b4 --config FILE --list-grants [--json]
 * Exit status: 0 after SIGTERM/SIGINT, 1 on a start-up error, 2 on usage. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "pcpd_aftr.h"
#include "pcpd_b4.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pcpd --role aftr --config FILE [-v|-q] [--syslog]\n"
		   "       pcpd --role aftr|b4 --config FILE --list-grants [--json]\n"
		   "       pcpd --role b4 --config FILE [-v|-q] [--syslog]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "list-grants", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "syslog", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *role = NULL, *config = NULL;
	bool list = false, json = false, syslog_on = false;
	int c, verbose = 0, quiet = 0;

	while ((c = getopt_long(argc, argv, "vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': role = optarg; break;
		case 'c': config = optarg; break;
		case 'l': list = true; break;
		case 'j': json = true; break;
		case 's': syslog_on = true; break;
		case 'v': verbose++; break;
		case 'q': quiet++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || !role || !config) {
		usage(stderr);
		return 2;
	}
	if (strcmp(role, "b4") && strcmp(role, "aftr")) {
		fprintf(stderr, "pcpd: unknown role '%s' (aftr or b4)\n", role);
		return 2;
	}
	if (list)
		return !strcmp(role, "b4") ? pcpd_b4_list(config, json)
					   : pcpd_aftr_list(config, json);
	if (syslog_on)
		pcpd_log_to_syslog();
	if (!strcmp(role, "b4"))
		return pcpd_b4_main(config, verbose - quiet);
	return pcpd_aftr_main(config, verbose - quiet);
}
