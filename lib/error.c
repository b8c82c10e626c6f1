#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vset(struct ct_error *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int ct_error_set(struct ct_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int ct_error_at(struct ct_error *err, int code, uint64_t line, uint64_t column,
		const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->line = line;
		err->column = column;
	}
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int ct_error_nomem(struct ct_error *err)
{
	return ct_error_set(err, CT_ENOMEM, "out of memory");
}
