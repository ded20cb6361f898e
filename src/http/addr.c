/*
 * addr.c: client addresses as text, in one spelling, so that the throttle's
 * buckets and the trusted proxy compare equal however an address was
 * written (parse.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "http/parse.h"

int parse_ip_normalise(const char *in, char *out, size_t outlen)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char text[INET6_ADDRSTRLEN];
	int family = strchr(in, ':') ? AF_INET6 : AF_INET;
	int n;

	if (inet_pton(family, in, bin) != 1)
		return -EINVAL;
	if (family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)(const void *)bin)) {
		memmove(bin, bin + 12, 4);
		family = AF_INET;
	}
	if (!inet_ntop(family, bin, text, sizeof(text)))
		return -EINVAL;
	n = snprintf(out, outlen, "%s", text);
	return n < 0 || (size_t)n >= outlen ? -ENOSPC : 0;
}
