/*
 * Test of the libsrtp3-over-libsrtp2 adapter, written against "srtp.h" (the
 * same API mediasoup calls). Run by ensure-worker.sh before every worker
 * build (meson test). Known-answer vectors are libsrtp's own srtp_validate()
 * / srtp_validate_gcm() vectors (SSRC 0xcafebabe, SEQ 0x1234, ROC 0).
 */
#include "srtp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (cond) {                                                                                    \
      ++passed;                                                                                    \
    } else {                                                                                       \
      ++failed;                                                                                    \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                             \
    }                                                                                              \
  } while (0)

/* libsrtp srtp_validate(): AES_CM_128_HMAC_SHA1_80 */
static const uint8_t cm_key[16] = { 0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
                                    0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39 };
static const uint8_t cm_salt[14] = { 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe,
                                     0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6 };
/* libsrtp srtp_validate_gcm(): AEAD_AES_128_GCM */
static const uint8_t gcm_key[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
static const uint8_t gcm_salt[12] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                                      0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab };

static const uint8_t rtp_plain[28] = { 0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe,
                                       0xba, 0xbe, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                       0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab };
static const uint8_t rtcp_plain[24] = { 0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe,
                                        0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                        0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab };
static const uint8_t cm80_srtp[38] = { 0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe,
                                       0xba, 0xbe, 0x4e, 0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8,
                                       0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d,
                                       0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb };
static const uint8_t cm_srtcp[38] = { 0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0x71, 0x28,
                                      0x03, 0x5b, 0xe4, 0x87, 0xb9, 0xbd, 0xbe, 0xf8, 0x90, 0x41,
                                      0xf9, 0x77, 0xa5, 0xa8, 0x80, 0x00, 0x00, 0x01, 0x99, 0x3e,
                                      0x08, 0xcd, 0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98 };
static const uint8_t gcm_srtp[44] = { 0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca,
                                      0xfe, 0xba, 0xbe, 0xc5, 0x00, 0x2e, 0xde, 0x04, 0xcf,
                                      0xdd, 0x2e, 0xb9, 0x11, 0x59, 0xe0, 0x88, 0x0a, 0xa0,
                                      0x6e, 0xd2, 0x97, 0x68, 0x26, 0xf7, 0x96, 0xb2, 0x01,
                                      0xdf, 0x31, 0x31, 0xa1, 0x27, 0xe8, 0xa3, 0x92 };
static const uint8_t gcm_srtcp[44] = { 0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0xc9,
                                       0x8b, 0x8b, 0x5d, 0xf0, 0x39, 0x2a, 0x55, 0x85, 0x2b,
                                       0x6c, 0x21, 0xac, 0x8e, 0x70, 0x25, 0xc5, 0x2c, 0x6f,
                                       0xbe, 0xa2, 0xb3, 0xb4, 0x46, 0xea, 0x31, 0x12, 0x3b,
                                       0xa8, 0x8c, 0xe6, 0x1e, 0x80, 0x00, 0x00, 0x01 };

static int events = 0;

static void on_event(srtp_event_data_t *data)
{
  (void)data;
  ++events;
}

/* Builds a session the way mediasoup's RTC::SrtpSession does. */
static srtp_err_status_t make_session(srtp_t *session,
                                      srtp_ssrc_type_t type,
                                      srtp_profile_t profile,
                                      const uint8_t *key,
                                      const uint8_t *salt,
                                      bool allow_repeat_tx)
{
  srtp_policy_t policy = NULL;
  srtp_ssrc_t ssrc;
  srtp_err_status_t err = srtp_policy_create(&policy);

  if (err != srtp_err_status_ok) {
    return err;
  }

  ssrc.type = type;
  ssrc.value = 0;

  if ((err = srtp_policy_set_ssrc(policy, ssrc)) == srtp_err_status_ok &&
      (err = srtp_policy_set_profile(policy, profile)) == srtp_err_status_ok &&
      (err = srtp_policy_add_key(policy,
                                 key,
                                 srtp_profile_get_master_key_length(profile),
                                 salt,
                                 srtp_profile_get_master_salt_length(profile),
                                 NULL,
                                 0)) == srtp_err_status_ok &&
      (err = srtp_policy_set_allow_repeat_tx(policy, allow_repeat_tx)) == srtp_err_status_ok &&
      (err = srtp_policy_set_window_size(policy, 1024)) == srtp_err_status_ok) {
    err = srtp_create(session, policy);
  }

  srtp_policy_destroy(policy);

  return err;
}

static void known_answer(const char *name,
                         srtp_profile_t profile,
                         const uint8_t *key,
                         const uint8_t *salt,
                         const uint8_t *exp_srtp,
                         size_t exp_srtp_len,
                         const uint8_t *exp_srtcp,
                         size_t exp_srtcp_len)
{
  srtp_t tx = NULL;
  srtp_t rx = NULL;
  uint8_t in[256];
  uint8_t out[256];
  size_t len;

  fprintf(stderr, "known-answer %s\n", name);
  CHECK(make_session(&tx, ssrc_any_outbound, profile, key, salt, true) == srtp_err_status_ok);
  CHECK(make_session(&rx, ssrc_any_inbound, profile, key, salt, false) == srtp_err_status_ok);

  /* RTP, separate buffers: the input must be left untouched. */
  memcpy(in, rtp_plain, sizeof(rtp_plain));
  len = sizeof(out);
  CHECK(srtp_protect(tx, in, sizeof(rtp_plain), out, &len, 0) == srtp_err_status_ok);
  CHECK(len == exp_srtp_len && memcmp(out, exp_srtp, exp_srtp_len) == 0);
  CHECK(memcmp(in, rtp_plain, sizeof(rtp_plain)) == 0);

  memcpy(in, exp_srtp, exp_srtp_len);
  len = sizeof(out);
  CHECK(srtp_unprotect(rx, in, exp_srtp_len, out, &len) == srtp_err_status_ok);
  CHECK(len == sizeof(rtp_plain) && memcmp(out, rtp_plain, len) == 0);

  /* RTCP (always an 80-bit tag for the AES-CM profiles). */
  len = sizeof(out);
  CHECK(srtp_protect_rtcp(tx, rtcp_plain, sizeof(rtcp_plain), out, &len, 0) == srtp_err_status_ok);
  CHECK(len == exp_srtcp_len && memcmp(out, exp_srtcp, exp_srtcp_len) == 0);

  memcpy(in, exp_srtcp, exp_srtcp_len);
  len = exp_srtcp_len; /* in place, like mediasoup */
  CHECK(srtp_unprotect_rtcp(rx, in, exp_srtcp_len, in, &len) == srtp_err_status_ok);
  CHECK(len == sizeof(rtcp_plain) && memcmp(in, rtcp_plain, len) == 0);

  CHECK(srtp_dealloc(tx) == srtp_err_status_ok);
  CHECK(srtp_dealloc(rx) == srtp_err_status_ok);
}

static void behaviour(const char *name, srtp_profile_t profile, size_t tag_len)
{
  static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
  static const uint8_t salt[14] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6 };
  srtp_t tx = NULL;
  srtp_t rx = NULL;
  uint8_t buf[1500];
  uint8_t protected_copy[1500];
  uint8_t out[1500];
  size_t len;
  size_t protected_len;
  size_t i;

  fprintf(stderr, "behaviour %s\n", name);
  CHECK(make_session(&tx, ssrc_any_outbound, profile, key, salt, true) == srtp_err_status_ok);
  CHECK(make_session(&rx, ssrc_any_inbound, profile, key, salt, false) == srtp_err_status_ok);

  /* RTP in place, as mediasoup's receive path does. */
  memcpy(buf, rtp_plain, sizeof(rtp_plain));
  for (i = 12; i < 200; ++i) {
    buf[i] = (uint8_t)i;
  }
  memcpy(out, buf, 200);
  len = sizeof(buf);
  CHECK(srtp_protect(tx, buf, 200, buf, &len, 0) == srtp_err_status_ok);
  CHECK(len == 200 + tag_len);
  CHECK(memcmp(buf, out, 12) == 0);       /* header in clear */
  CHECK(memcmp(buf + 12, out + 12, 188) != 0); /* payload encrypted */
  protected_len = len;
  memcpy(protected_copy, buf, len);

  CHECK(srtp_unprotect(rx, buf, len, buf, &len) == srtp_err_status_ok);
  CHECK(len == 200 && memcmp(buf, out, 200) == 0);

  /* Replay of the same packet is refused. */
  memcpy(buf, protected_copy, protected_len);
  len = protected_len;
  CHECK(srtp_unprotect(rx, buf, len, buf, &len) == srtp_err_status_replay_fail);

  /* Tampering is detected; a separate output buffer is wiped on failure. */
  memcpy(buf, protected_copy, protected_len);
  buf[2] = 0x13; /* new sequence number so that it is not a replay */
  buf[20] ^= 0x01;
  memset(out, 0xee, sizeof(out));
  len = sizeof(out);
  CHECK(srtp_unprotect(rx, buf, protected_len, out, &len) == srtp_err_status_auth_fail);
  CHECK(out[0] == 0 && out[protected_len - 1] == 0 && out[protected_len] == 0xee);

  /* allow_repeat_tx = true (mediasoup): the sender may protect a seq again. */
  memcpy(buf, rtp_plain, sizeof(rtp_plain));
  len = sizeof(buf);
  CHECK(srtp_protect(tx, buf, sizeof(rtp_plain), buf, &len, 0) == srtp_err_status_ok);

  /* Output buffer checks. */
  memcpy(buf, rtp_plain, sizeof(rtp_plain));
  len = 200 + SRTP_MAX_TRAILER_LEN - 1;
  CHECK(srtp_protect(tx, buf, 200, out, &len, 0) == srtp_err_status_buffer_small);
  len = protected_len - 1;
  CHECK(srtp_unprotect(rx, protected_copy, protected_len, out, &len) == srtp_err_status_buffer_small);
  len = sizeof(out);
  CHECK(srtp_protect(tx, rtp_plain, sizeof(rtp_plain), out, &len, 1) == srtp_err_status_bad_param);

  /* RTCP round trip in place, then a tampered one. */
  memcpy(buf, rtcp_plain, sizeof(rtcp_plain));
  len = sizeof(buf);
  CHECK(srtp_protect_rtcp(tx, buf, sizeof(rtcp_plain), buf, &len, 0) == srtp_err_status_ok);
  protected_len = len;
  memcpy(protected_copy, buf, len);
  CHECK(srtp_unprotect_rtcp(rx, buf, len, buf, &len) == srtp_err_status_ok);
  CHECK(len == sizeof(rtcp_plain) && memcmp(buf, rtcp_plain, len) == 0);
  memcpy(buf, protected_copy, protected_len);
  buf[10] ^= 0x80;
  len = protected_len;
  CHECK(srtp_unprotect_rtcp(rx, buf, len, buf, &len) != srtp_err_status_ok);
  len = sizeof(rtcp_plain) + SRTP_MAX_SRTCP_TRAILER_LEN - 1;
  CHECK(srtp_protect_rtcp(tx, rtcp_plain, sizeof(rtcp_plain), out, &len, 0) ==
        srtp_err_status_buffer_small);

  /* Stream removal with the SSRC in network order, as mediasoup passes it. */
  CHECK(srtp_stream_remove(rx, htonl(0xcafebabe)) == srtp_err_status_ok);
  CHECK(srtp_stream_remove(rx, htonl(0xcafebabe)) != srtp_err_status_ok);

  CHECK(srtp_dealloc(tx) == srtp_err_status_ok);
  CHECK(srtp_dealloc(rx) == srtp_err_status_ok);
}

static void policy_checks(void)
{
  static const uint8_t key[32] = { 0 };
  srtp_policy_t policy = NULL;
  srtp_t session = (srtp_t)1;
  srtp_ssrc_t ssrc;
  srtp_t tx = NULL;
  uint8_t buf[200];
  size_t len;

  fprintf(stderr, "policy checks\n");

  CHECK(srtp_profile_get_master_key_length(srtp_profile_aes128_cm_sha1_80) == 16);
  CHECK(srtp_profile_get_master_salt_length(srtp_profile_aes128_cm_sha1_80) == 14);
  CHECK(srtp_profile_get_master_key_length(srtp_profile_aes128_cm_sha1_32) == 16);
  CHECK(srtp_profile_get_master_salt_length(srtp_profile_aes128_cm_sha1_32) == 14);
  CHECK(srtp_profile_get_master_key_length(srtp_profile_aead_aes_128_gcm) == 16);
  CHECK(srtp_profile_get_master_salt_length(srtp_profile_aead_aes_128_gcm) == 12);
  CHECK(srtp_profile_get_master_key_length(srtp_profile_aead_aes_256_gcm) == 32);
  CHECK(srtp_profile_get_master_salt_length(srtp_profile_aead_aes_256_gcm) == 12);
  CHECK(srtp_profile_get_master_key_length(srtp_profile_null_sha1_80) == 0);

  CHECK(srtp_policy_create(&policy) == srtp_err_status_ok);
  /* NULL-cipher / unsupported profiles are refused. */
  CHECK(srtp_policy_set_profile(policy, srtp_profile_null_sha1_80) == srtp_err_status_bad_param);
  CHECK(srtp_policy_set_profile(policy, srtp_profile_null_null) == srtp_err_status_bad_param);
  CHECK(srtp_policy_set_profile(policy, srtp_profile_aes256_cm_sha1_80) == srtp_err_status_bad_param);
  /* Incomplete policy. */
  CHECK(srtp_create(&session, policy) == srtp_err_status_bad_param);
  CHECK(session == NULL);
  ssrc.type = ssrc_undefined;
  ssrc.value = 0;
  CHECK(srtp_policy_set_ssrc(policy, ssrc) == srtp_err_status_bad_param);
  ssrc.type = ssrc_any_outbound;
  CHECK(srtp_policy_set_ssrc(policy, ssrc) == srtp_err_status_ok);
  CHECK(srtp_policy_set_profile(policy, srtp_profile_aes128_cm_sha1_80) == srtp_err_status_ok);
  /* MKI refused. */
  CHECK(srtp_policy_add_key(policy, key, 16, key, 14, key, 4) == srtp_err_status_bad_param);
  /* Oversized key refused. */
  CHECK(srtp_policy_add_key(policy, key, 60, key, 14, NULL, 0) == srtp_err_status_bad_param);
  /* Key of the wrong length for the profile: accepted, refused at create. */
  CHECK(srtp_policy_add_key(policy, key, 32, key, 12, NULL, 0) == srtp_err_status_ok);
  CHECK(srtp_policy_add_key(policy, key, 16, key, 14, NULL, 0) == srtp_err_status_bad_param);
  CHECK(srtp_create(&session, policy) == srtp_err_status_bad_param);
  /* Window size bounds. */
  CHECK(srtp_policy_set_window_size(policy, 32) == srtp_err_status_bad_param);
  CHECK(srtp_policy_set_window_size(policy, 0x8000) == srtp_err_status_bad_param);
  CHECK(srtp_policy_set_window_size(policy, 64) == srtp_err_status_ok);
  srtp_policy_destroy(policy);
  srtp_policy_destroy(NULL);

  /* allow_repeat_tx = false: protecting the same sequence number twice fails. */
  CHECK(make_session(&tx, ssrc_any_outbound, srtp_profile_aes128_cm_sha1_80, cm_key, cm_salt, false) ==
        srtp_err_status_ok);
  len = sizeof(buf);
  CHECK(srtp_protect(tx, rtp_plain, sizeof(rtp_plain), buf, &len, 0) == srtp_err_status_ok);
  len = sizeof(buf);
  CHECK(srtp_protect(tx, rtp_plain, sizeof(rtp_plain), buf, &len, 0) == srtp_err_status_replay_fail);
  CHECK(srtp_dealloc(tx) == srtp_err_status_ok);

  CHECK(srtp_dealloc(NULL) == srtp_err_status_bad_param);
  CHECK(srtp_protect(NULL, rtp_plain, sizeof(rtp_plain), buf, &len, 0) == srtp_err_status_bad_param);
}

int main(void)
{
  const char *version;

  CHECK(srtp_init() == srtp_err_status_ok);
  version = srtp_get_version_string();
  fprintf(stderr, "libsrtp: %s\n", version != NULL ? version : "(null)");
  CHECK(version != NULL && strstr(version, "libsrtp2") != NULL);
  CHECK(srtp_install_event_handler(on_event) == srtp_err_status_ok);

  known_answer("AES_CM_128_HMAC_SHA1_80",
               srtp_profile_aes128_cm_sha1_80, cm_key, cm_salt,
               cm80_srtp, sizeof(cm80_srtp), cm_srtcp, sizeof(cm_srtcp));
  /* 32-bit tag: the first 4 octets of the 80-bit tag; SRTCP keeps 80 bits. */
  known_answer("AES_CM_128_HMAC_SHA1_32",
               srtp_profile_aes128_cm_sha1_32, cm_key, cm_salt,
               cm80_srtp, 32, cm_srtcp, sizeof(cm_srtcp));
  known_answer("AEAD_AES_128_GCM",
               srtp_profile_aead_aes_128_gcm, gcm_key, gcm_salt,
               gcm_srtp, sizeof(gcm_srtp), gcm_srtcp, sizeof(gcm_srtcp));

  behaviour("AES_CM_128_HMAC_SHA1_80", srtp_profile_aes128_cm_sha1_80, 10);
  behaviour("AES_CM_128_HMAC_SHA1_32", srtp_profile_aes128_cm_sha1_32, 4);
  behaviour("AEAD_AES_128_GCM", srtp_profile_aead_aes_128_gcm, 16);
  behaviour("AEAD_AES_256_GCM", srtp_profile_aead_aes_256_gcm, 16);

  policy_checks();

  CHECK(srtp_install_event_handler(NULL) == srtp_err_status_ok);
  CHECK(srtp_shutdown() == srtp_err_status_ok);

  printf("srtp3_compat: %d passed, %d failed\n", passed, failed);

  return failed == 0 ? 0 : 1;
}
