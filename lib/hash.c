/*
 * hash.c: SHA-256 in hex: the link of the audit log's and the ledger's
 * hash chains, and a plain digest (prepay-web's session tokens and
 * one-time codes, kept only so).
 */
#include <openssl/evp.h>
#include <string.h>

#include "internal.h"

/* SHA-256 of the n parts one after another, as 64 hex digits. */
static int
digest(const char *const *part, const size_t *len, int n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;
	int ok, k;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return PP_EINTERNAL;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (k = 0; ok && k < n; k++)
		ok = EVP_DigestUpdate(ctx, part[k], len[k]);
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok || mdlen != 32)
		return PP_EINTERNAL;
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return PP_OK;
}

int
pp__chain_hash(const char *prev, const char *text, char out[65])
{
	const char *part[3] = { prev, "\n", text };
	size_t len[3] = { strlen(prev), 1, strlen(text) };

	return digest(part, len, 3, out);
}

int
pp__sha256_hex(const char *text, char out[65])
{
	size_t len = strlen(text);

	return digest(&text, &len, 1, out);
}
