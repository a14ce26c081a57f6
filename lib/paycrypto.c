/*
 * paycrypto.c: the cryptography of the payment platforms' notifications,
 * with libcrypto: SHA256withRSA signatures checked with a platform's
 * public key, and WeChat Pay's AEAD_AES_256_GCM resource opened with the
 * APIv3 key.  A key is read from its file when it is needed, the secret
 * ones only when mode 0640 or stricter, and wiped after use; no message
 * quotes a key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "internal.h"

int
pp__base64_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen)
{
	EVP_ENCODE_CTX *ctx;
	unsigned char *buf;
	int n = 0, m = 0, ok;

	*out = NULL;
	*outlen = 0;
	if (len > INT32_MAX / 2 || (buf = malloc(len / 4 * 3 + 4)) == NULL)
		return PP_EINTERNAL;
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL) {
		free(buf);
		return PP_EINTERNAL;
	}
	EVP_DecodeInit(ctx);
	ok = len > 0 && len % 4 == 0 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=") >= len &&
	    EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *)s,
	    (int)len) >= 0 && EVP_DecodeFinal(ctx, buf + n, &m) == 1;
	EVP_ENCODE_CTX_free(ctx);
	if (!ok) {
		free(buf);
		return PP_EDATA;
	}
	*out = buf;
	*outlen = (size_t)(n + m);
	return PP_OK;
}

int
pp__pay_verify(const char *pem, const void *msg, size_t len,
    const char *sig64, char *err, size_t errlen)
{
	unsigned char *sig;
	size_t siglen;
	EVP_PKEY *pk;
	EVP_MD_CTX *md;
	FILE *f;
	int ok;

	if ((f = fopen(pem, "re")) == NULL) {
		snprintf(err, errlen, "platform key %s: %s", pem,
		    strerror(errno));
		return PP_ECONFIG;
	}
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL) {
		snprintf(err, errlen, "platform key %s: not a PEM public key",
		    pem);
		return PP_ECONFIG;
	}
	if (pp__base64_decode(sig64, strlen(sig64), &sig, &siglen) != PP_OK) {
		EVP_PKEY_free(pk);
		snprintf(err, errlen, "the signature is no base64");
		return PP_EDATA;
	}
	ok = (md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	free(sig);
	if (!ok) {
		snprintf(err, errlen, "the signature does not verify");
		return PP_EDATA;
	}
	return PP_OK;
}

/* The APIv3 key from its file, which must be a safe secret of 32 bytes. */
static int
apiv3_key(const char *path, unsigned char key[32], char *err, size_t errlen)
{
	char why[PP_ERRMAX];
	unsigned char extra;
	struct stat st;
	ssize_t n;
	int fd, rc = PP_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "APIv3 key file %s: %s", path,
		    strerror(errno));
		return PP_ECONFIG;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		snprintf(why, sizeof(why), "%s: not a regular file", path),
		    rc = PP_ECONFIG;
	else if ((rc = pp__priv_check_secret(path, &st, why, sizeof(why))) ==
	    PP_OK && ((n = read(fd, key, 32)) != 32 || read(fd, &extra, 1) !=
	    0)) {
		snprintf(why, sizeof(why), "%s: an APIv3 key is 32 bytes, this "
		    "file is not", path);
		rc = PP_ECONFIG;
	}
	close(fd);
	if (rc != PP_OK) {
		OPENSSL_cleanse(key, 32);
		snprintf(err, errlen, "APIv3 key file %s", why);
	}
	return rc;
}

int
pp__pay_gcm_open(const char *keyfile, const char *nonce, const char *aad,
    const char *cipher64, char **plain, char *err, size_t errlen)
{
	unsigned char key[32], *ct;
	size_t ctlen;
	EVP_CIPHER_CTX *c;
	char *out;
	int n = 0, m = 0, ok, rc;

	*plain = NULL;
	if (pp__base64_decode(cipher64, strlen(cipher64), &ct, &ctlen) !=
	    PP_OK || ctlen < 16 || ctlen > 1 << 20) {
		free(ct);
		snprintf(err, errlen, "resource: the ciphertext is no base64 "
		    "of a sealed text");
		return PP_EDATA;
	}
	if ((rc = apiv3_key(keyfile, key, err, errlen)) != PP_OK) {
		free(ct);
		return rc;
	}
	if ((out = malloc(ctlen + 1)) == NULL) {
		free(ct);
		OPENSSL_cleanse(key, sizeof(key));
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	ctlen -= 16;
	ok = (c = EVP_CIPHER_CTX_new()) != NULL &&
	    EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)strlen(nonce),
	    NULL) == 1 &&
	    EVP_DecryptInit_ex(c, NULL, NULL, key, (const unsigned char *)
	    nonce) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_DecryptUpdate(c, (unsigned char *)out, &n, ct, (int)ctlen) ==
	    1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, ct + ctlen) == 1 &&
	    EVP_DecryptFinal_ex(c, (unsigned char *)out + n, &m) == 1;
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(key, sizeof(key));
	free(ct);
	if (!ok) {
		free(out);
		snprintf(err, errlen, "resource: it does not open with the "
		    "APIv3 key");
		return PP_EDATA;
	}
	out[n + m] = '\0';
	*plain = out;
	return PP_OK;
}

/* The PEM private key of keyfile, a safe secret, or NULL and why. */
static EVP_PKEY *
private_key(const char *keyfile, char *err, size_t errlen)
{
	char why[PP_ERRMAX];
	EVP_PKEY *pk = NULL;
	struct stat st;
	FILE *f;

	if ((f = fopen(keyfile, "re")) == NULL) {
		snprintf(err, errlen, "merchant key %s: %s", keyfile,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode))
		snprintf(err, errlen, "merchant key %s: not a regular file",
		    keyfile);
	else if (pp__priv_check_secret(keyfile, &st, why, sizeof(why)) !=
	    PP_OK)
		snprintf(err, errlen, "merchant key %s", why);
	else if ((pk = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		snprintf(err, errlen, "merchant key %s: not a PEM private key",
		    keyfile);
	fclose(f);
	return pk;
}

int
pp__pay_sign(const char *keyfile, const void *msg, size_t len,
    char **sig64, char *err, size_t errlen)
{
	unsigned char *sig = NULL;
	size_t siglen = 0;
	EVP_PKEY *pk;
	EVP_MD_CTX *md;
	int ok;

	*sig64 = NULL;
	if ((pk = private_key(keyfile, err, errlen)) == NULL)
		return PP_ECONFIG;
	ok = (md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	    EVP_DigestSign(md, NULL, &siglen, msg, len) == 1 &&
	    (sig = malloc(siglen)) != NULL &&
	    EVP_DigestSign(md, sig, &siglen, msg, len) == 1 &&
	    (*sig64 = malloc(4 * ((siglen + 2) / 3) + 1)) != NULL;
	if (ok)
		EVP_EncodeBlock((unsigned char *)*sig64, sig, (int)siglen);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	free(sig);
	if (!ok) {
		snprintf(err, errlen, "merchant key %s: it does not sign",
		    keyfile);
		return PP_EINTERNAL;
	}
	return PP_OK;
}
