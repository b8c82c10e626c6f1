/* Decoding one UTF-8 sequence, strictly: what the JSON scanner accepts
 * and what the $ref writer escapes rest on the same rules. */
#ifndef CT_UTF8_H
#define CT_UTF8_H

#include <stddef.h>

/* Decode the sequence at p (before end): its code point in *cp and its
 * length, or 0 when it is not valid UTF-8 (overlong, surrogate, past
 * U+10FFFF, truncated). */
static inline size_t ct_utf8_decode(const unsigned char *p, const unsigned char *end,
				    unsigned *cp)
{
	unsigned c = p[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) { n = 2; min = 0x80; }
	else if (c >= 0xe0 && c <= 0xef) { n = 3; min = 0x800; }
	else if (c >= 0xf0 && c <= 0xf4) { n = 4; min = 0x10000; }
	else return 0;
	if ((size_t)(end - p) < n)
		return 0;
	unsigned v = c & (0x3f >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
		return 0;
	*cp = v;
	return n;
}

#endif
