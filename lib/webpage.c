/*
 * webpage.c: the resident's pages (doc/design.md, "Residents").  Until
 * they come, every path outside /api/ and /pay/ is 404.
 */
#include <stdlib.h>
#include <string.h>

#include "web.h"

int
pp__web_page(const struct pp__web_req *req, struct pp__web_resp *resp)
{
	static const char body[] = "<!DOCTYPE html><html lang=\"zh-CN\">"
	    "<meta charset=\"utf-8\"><title>404</title><p>页面不存在</p>\n";

	(void)req;
	resp->status = 404;
	resp->type = "text/html; charset=utf-8";
	if ((resp->body = strdup(body)) == NULL)
		return PP_EINTERNAL;
	resp->len = strlen(body);
	return PP_OK;
}
