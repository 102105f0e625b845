/*
 * srtp3_compat.c - the libsrtp 3 calls mediasoup 3.27.x makes, implemented on
 * top of Debian's libsrtp 2.5 (package libsrtp2-1 / libsrtp2-dev).
 *
 * SECURITY-SENSITIVE. Keep this file minimal. What it does, and nothing more:
 *   - keeps a policy object (profile, SSRC selector, ONE master key + salt,
 *     replay window, allow_repeat_tx) and turns it into a libsrtp2
 *     srtp_policy_t at srtp_create() time; the key copy is wiped on destroy;
 *   - accepts only the four profiles mediasoup negotiates
 *     (AES128_CM_SHA1_80, AES128_CM_SHA1_32, AEAD_AES_128_GCM,
 *     AEAD_AES_256_GCM); NULL-cipher / NULL-auth profiles are refused;
 *   - refuses MKI (not used by mediasoup);
 *   - maps the libsrtp 3 separate in/out buffer calls onto libsrtp2's in-place
 *     calls: the output buffer must have room for the input plus the maximum
 *     trailer (checked, srtp_err_status_buffer_small otherwise), the input is
 *     copied (memmove) into it when the buffers differ, and libsrtp2 does the
 *     cryptography in place. All crypto, replay protection and key derivation
 *     are libsrtp2's.
 * See scripts/mediasoup/README.md ("libsrtp3 adapter").
 */
#include "srtp3_compat.h"

#include <srtp2/srtp.h>

#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- compile-time checks that the numbering shared with libsrtp2 agrees ---- */
#define MS3_SAME(a, b) _Static_assert((int)(a) == (int)(b), #a " != " #b)
MS3_SAME(srtp_err_status_ok, MS3_STATUS_OK);
MS3_SAME(srtp_err_status_fail, MS3_STATUS_FAIL);
MS3_SAME(srtp_err_status_bad_param, MS3_STATUS_BAD_PARAM);
MS3_SAME(srtp_err_status_alloc_fail, MS3_STATUS_ALLOC_FAIL);
MS3_SAME(srtp_err_status_dealloc_fail, MS3_STATUS_DEALLOC_FAIL);
MS3_SAME(srtp_err_status_init_fail, MS3_STATUS_INIT_FAIL);
MS3_SAME(srtp_err_status_terminus, MS3_STATUS_TERMINUS);
MS3_SAME(srtp_err_status_auth_fail, MS3_STATUS_AUTH_FAIL);
MS3_SAME(srtp_err_status_cipher_fail, MS3_STATUS_CIPHER_FAIL);
MS3_SAME(srtp_err_status_replay_fail, MS3_STATUS_REPLAY_FAIL);
MS3_SAME(srtp_err_status_replay_old, MS3_STATUS_REPLAY_OLD);
MS3_SAME(srtp_err_status_algo_fail, MS3_STATUS_ALGO_FAIL);
MS3_SAME(srtp_err_status_no_such_op, MS3_STATUS_NO_SUCH_OP);
MS3_SAME(srtp_err_status_no_ctx, MS3_STATUS_NO_CTX);
MS3_SAME(srtp_err_status_cant_check, MS3_STATUS_CANT_CHECK);
MS3_SAME(srtp_err_status_key_expired, MS3_STATUS_KEY_EXPIRED);
MS3_SAME(srtp_err_status_socket_err, MS3_STATUS_SOCKET_ERR);
MS3_SAME(srtp_err_status_signal_err, MS3_STATUS_SIGNAL_ERR);
MS3_SAME(srtp_err_status_nonce_bad, MS3_STATUS_NONCE_BAD);
MS3_SAME(srtp_err_status_read_fail, MS3_STATUS_READ_FAIL);
MS3_SAME(srtp_err_status_write_fail, MS3_STATUS_WRITE_FAIL);
MS3_SAME(srtp_err_status_parse_err, MS3_STATUS_PARSE_ERR);
MS3_SAME(srtp_err_status_encode_err, MS3_STATUS_ENCODE_ERR);
MS3_SAME(srtp_err_status_semaphore_err, MS3_STATUS_SEMAPHORE_ERR);
MS3_SAME(srtp_err_status_pfkey_err, MS3_STATUS_PFKEY_ERR);
MS3_SAME(srtp_err_status_bad_mki, MS3_STATUS_BAD_MKI);
MS3_SAME(srtp_err_status_pkt_idx_old, MS3_STATUS_PKT_IDX_OLD);
MS3_SAME(srtp_err_status_pkt_idx_adv, MS3_STATUS_PKT_IDX_ADV);
MS3_SAME(event_ssrc_collision, MS3_EVENT_SSRC_COLLISION);
MS3_SAME(event_key_soft_limit, MS3_EVENT_KEY_SOFT_LIMIT);
MS3_SAME(event_key_hard_limit, MS3_EVENT_KEY_HARD_LIMIT);
MS3_SAME(event_packet_index_limit, MS3_EVENT_PACKET_INDEX_LIMIT);
MS3_SAME(SRTP_MAX_TAG_LEN, MS3_MAX_TAG_LEN);
MS3_SAME(SRTP_MAX_MKI_LEN, MS3_MAX_MKI_LEN);
MS3_SAME(SRTP_MAX_TRAILER_LEN, MS3_MAX_TRAILER_LEN);
#undef MS3_SAME

struct ms3_policy_opaque {
  bool has_profile;
  srtp_profile_t profile; /* libsrtp2 numbering */
  bool has_ssrc;
  srtp_ssrc_t ssrc; /* libsrtp2 type */
  bool has_key;
  unsigned char key[SRTP_MAX_KEY_LEN]; /* master key || master salt */
  size_t key_len;
  size_t salt_len;
  unsigned long window_size; /* 0 = libsrtp2 default (128) */
  bool allow_repeat_tx;
};

/* memset through a volatile pointer so that wiping key material is not
 * optimised away. */
static void *(*const volatile ms3_memset)(void *, int, size_t) = memset;

static ms3_status_t from_srtp2(srtp_err_status_t status)
{
  const int value = (int)status;

  if (value >= (int)MS3_STATUS_OK && value <= (int)MS3_STATUS_PKT_IDX_ADV) {
    return (ms3_status_t)value;
  }

  return MS3_STATUS_FAIL;
}

static bool to_srtp2_profile(ms3_profile_t profile, srtp_profile_t *out)
{
  switch (profile) {
  case MS3_PROFILE_AES128_CM_SHA1_80:
    *out = srtp_profile_aes128_cm_sha1_80;
    return true;
  case MS3_PROFILE_AES128_CM_SHA1_32:
    *out = srtp_profile_aes128_cm_sha1_32;
    return true;
  case MS3_PROFILE_AEAD_AES_128_GCM:
    *out = srtp_profile_aead_aes_128_gcm;
    return true;
  case MS3_PROFILE_AEAD_AES_256_GCM:
    *out = srtp_profile_aead_aes_256_gcm;
    return true;
  default:
    /* NULL cipher/auth and profiles mediasoup never negotiates. */
    return false;
  }
}

/* ---- library ---- */

ms3_status_t ms3_init(void)
{
  return from_srtp2(srtp_init());
}

ms3_status_t ms3_shutdown(void)
{
  return from_srtp2(srtp_shutdown());
}

const char *ms3_get_version_string(void)
{
  return srtp_get_version_string();
}

static _Atomic(ms3_event_handler_func_t *) ms3_event_handler = NULL;

static void ms3_event_trampoline(srtp_event_data_t *data)
{
  ms3_event_handler_func_t *handler = atomic_load(&ms3_event_handler);
  ms3_event_data_t event;

  if (handler == NULL || data == NULL) {
    return;
  }

  event.session = (ms3_session_t)data->session;
  event.ssrc = data->ssrc;
  event.event = (ms3_event_t)data->event;
  handler(&event);
}

ms3_status_t ms3_install_event_handler(ms3_event_handler_func_t *func)
{
  atomic_store(&ms3_event_handler, func);

  return from_srtp2(srtp_install_event_handler(func != NULL ? ms3_event_trampoline : NULL));
}

/* ---- policy ---- */

ms3_status_t ms3_policy_create(ms3_policy_t *policy)
{
  ms3_policy_t p;

  if (policy == NULL) {
    return MS3_STATUS_BAD_PARAM;
  }

  p = calloc(1, sizeof(*p));
  if (p == NULL) {
    return MS3_STATUS_ALLOC_FAIL;
  }

  *policy = p;

  return MS3_STATUS_OK;
}

void ms3_policy_destroy(ms3_policy_t policy)
{
  if (policy == NULL) {
    return;
  }

  ms3_memset(policy, 0, sizeof(*policy));
  free(policy);
}

ms3_status_t ms3_policy_set_ssrc(ms3_policy_t policy, ms3_ssrc_t ssrc)
{
  if (policy == NULL) {
    return MS3_STATUS_BAD_PARAM;
  }

  switch (ssrc.type) {
  case MS3_SSRC_SPECIFIC:
    policy->ssrc.type = ssrc_specific;
    break;
  case MS3_SSRC_ANY_INBOUND:
    policy->ssrc.type = ssrc_any_inbound;
    break;
  case MS3_SSRC_ANY_OUTBOUND:
    policy->ssrc.type = ssrc_any_outbound;
    break;
  default:
    return MS3_STATUS_BAD_PARAM;
  }

  policy->ssrc.value = ssrc.value;
  policy->has_ssrc = true;

  return MS3_STATUS_OK;
}

ms3_status_t ms3_policy_set_profile(ms3_policy_t policy, ms3_profile_t profile)
{
  srtp_profile_t profile2;

  if (policy == NULL || !to_srtp2_profile(profile, &profile2)) {
    return MS3_STATUS_BAD_PARAM;
  }

  policy->profile = profile2;
  policy->has_profile = true;

  return MS3_STATUS_OK;
}

ms3_status_t ms3_policy_add_key(ms3_policy_t policy,
                                const uint8_t *key,
                                size_t key_len,
                                const uint8_t *salt,
                                size_t salt_len,
                                const uint8_t *mki,
                                size_t mki_len)
{
  if (policy == NULL || key == NULL || salt == NULL || key_len == 0 || salt_len == 0) {
    return MS3_STATUS_BAD_PARAM;
  }

  /* MKI is not supported by this adapter; and without MKI only one key. */
  if (mki != NULL || mki_len != 0 || policy->has_key) {
    return MS3_STATUS_BAD_PARAM;
  }

  if (key_len > sizeof(policy->key) || salt_len > sizeof(policy->key) - key_len) {
    return MS3_STATUS_BAD_PARAM;
  }

  memcpy(policy->key, key, key_len);
  memcpy(policy->key + key_len, salt, salt_len);
  policy->key_len = key_len;
  policy->salt_len = salt_len;
  policy->has_key = true;

  return MS3_STATUS_OK;
}

ms3_status_t ms3_policy_set_window_size(ms3_policy_t policy, size_t window_size)
{
  if (policy == NULL) {
    return MS3_STATUS_BAD_PARAM;
  }

  if (window_size != 0 && (window_size < 64 || window_size >= 0x8000)) {
    return MS3_STATUS_BAD_PARAM;
  }

  policy->window_size = (unsigned long)window_size;

  return MS3_STATUS_OK;
}

ms3_status_t ms3_policy_set_allow_repeat_tx(ms3_policy_t policy, bool allow)
{
  if (policy == NULL) {
    return MS3_STATUS_BAD_PARAM;
  }

  policy->allow_repeat_tx = allow;

  return MS3_STATUS_OK;
}

size_t ms3_profile_get_master_key_length(ms3_profile_t profile)
{
  srtp_profile_t profile2;

  if (!to_srtp2_profile(profile, &profile2)) {
    return 0;
  }

  return (size_t)srtp_profile_get_master_key_length(profile2);
}

size_t ms3_profile_get_master_salt_length(ms3_profile_t profile)
{
  srtp_profile_t profile2;

  if (!to_srtp2_profile(profile, &profile2)) {
    return 0;
  }

  return (size_t)srtp_profile_get_master_salt_length(profile2);
}

/* ---- session ---- */

ms3_status_t ms3_create(ms3_session_t *session, const ms3_policy_t policy)
{
  srtp_policy_t policy2;
  srtp_t session2 = NULL;
  srtp_err_status_t status;

  if (session == NULL) {
    return MS3_STATUS_BAD_PARAM;
  }

  *session = NULL;

  /* A policy-less session (allowed by libsrtp 3) is not needed by mediasoup. */
  if (policy == NULL || !policy->has_profile || !policy->has_ssrc || !policy->has_key) {
    return MS3_STATUS_BAD_PARAM;
  }

  if (policy->key_len != (size_t)srtp_profile_get_master_key_length(policy->profile) ||
      policy->salt_len != (size_t)srtp_profile_get_master_salt_length(policy->profile)) {
    return MS3_STATUS_BAD_PARAM;
  }

  memset(&policy2, 0, sizeof(policy2));

  status = srtp_crypto_policy_set_from_profile_for_rtp(&policy2.rtp, policy->profile);
  if (status != srtp_err_status_ok) {
    return from_srtp2(status);
  }

  status = srtp_crypto_policy_set_from_profile_for_rtcp(&policy2.rtcp, policy->profile);
  if (status != srtp_err_status_ok) {
    return from_srtp2(status);
  }

  policy2.ssrc = policy->ssrc;
  policy2.key = (unsigned char *)policy->key;
  policy2.window_size = policy->window_size;
  policy2.allow_repeat_tx = policy->allow_repeat_tx ? 1 : 0;
  policy2.next = NULL;

  /* libsrtp2 derives the session keys from policy2.key and keeps no pointer
   * to it, so the caller may destroy the policy (wiping the key) afterwards. */
  status = srtp_create(&session2, &policy2);
  ms3_memset(&policy2, 0, sizeof(policy2));

  if (status != srtp_err_status_ok) {
    return from_srtp2(status);
  }

  *session = (ms3_session_t)session2;

  return MS3_STATUS_OK;
}

ms3_status_t ms3_dealloc(ms3_session_t session)
{
  if (session == NULL) {
    return MS3_STATUS_BAD_PARAM;
  }

  return from_srtp2(srtp_dealloc((srtp_t)session));
}

ms3_status_t ms3_stream_remove(ms3_session_t session, uint32_t ssrc)
{
  if (session == NULL) {
    return MS3_STATUS_BAD_PARAM;
  }

  return from_srtp2(srtp_remove_stream((srtp_t)session, (unsigned int)ssrc));
}

/* ---- packets ---- */

static ms3_status_t protect_common(bool rtcp,
                                   ms3_session_t ctx,
                                   const uint8_t *in,
                                   size_t in_len,
                                   uint8_t *out,
                                   size_t *out_len,
                                   size_t mki_index)
{
  /* libsrtp2 writes at most this many octets after the packet, in place. */
  const size_t max_trailer = rtcp ? (size_t)MS3_MAX_SRTCP_TRAILER_LEN : (size_t)MS3_MAX_TRAILER_LEN;
  srtp_err_status_t status;
  int len;

  if (ctx == NULL || in == NULL || out == NULL || out_len == NULL || mki_index != 0) {
    return MS3_STATUS_BAD_PARAM;
  }

  if (in_len > (size_t)INT_MAX - max_trailer) {
    return MS3_STATUS_BAD_PARAM;
  }

  if (*out_len < in_len + max_trailer) {
    return MS3_STATUS_BUFFER_SMALL;
  }

  if (out != in) {
    memmove(out, in, in_len);
  }

  len = (int)in_len;
  status = rtcp ? srtp_protect_rtcp((srtp_t)ctx, out, &len) : srtp_protect((srtp_t)ctx, out, &len);

  if (status != srtp_err_status_ok) {
    return from_srtp2(status);
  }

  if (len < 0 || (size_t)len > in_len + max_trailer) {
    return MS3_STATUS_FAIL; /* cannot happen with libsrtp2; defensive */
  }

  *out_len = (size_t)len;

  return MS3_STATUS_OK;
}

static ms3_status_t unprotect_common(bool rtcp,
                                     ms3_session_t ctx,
                                     const uint8_t *in,
                                     size_t in_len,
                                     uint8_t *out,
                                     size_t *out_len)
{
  srtp_err_status_t status;
  int len;

  if (ctx == NULL || in == NULL || out == NULL || out_len == NULL) {
    return MS3_STATUS_BAD_PARAM;
  }

  if (in_len > (size_t)INT_MAX) {
    return MS3_STATUS_BAD_PARAM;
  }

  /* libsrtp2 works in place on the whole protected packet. */
  if (*out_len < in_len) {
    return MS3_STATUS_BUFFER_SMALL;
  }

  if (out != in) {
    memmove(out, in, in_len);
  }

  len = (int)in_len;
  status = rtcp ? srtp_unprotect_rtcp((srtp_t)ctx, out, &len) : srtp_unprotect((srtp_t)ctx, out, &len);

  if (status != srtp_err_status_ok) {
    /* Never leave unauthenticated data in a separate output buffer. */
    if (out != in) {
      ms3_memset(out, 0, in_len);
    }

    return from_srtp2(status);
  }

  if (len < 0 || (size_t)len > in_len) {
    return MS3_STATUS_FAIL; /* cannot happen with libsrtp2; defensive */
  }

  *out_len = (size_t)len;

  return MS3_STATUS_OK;
}

ms3_status_t ms3_protect(ms3_session_t ctx,
                         const uint8_t *rtp,
                         size_t rtp_len,
                         uint8_t *srtp,
                         size_t *srtp_len,
                         size_t mki_index)
{
  return protect_common(false, ctx, rtp, rtp_len, srtp, srtp_len, mki_index);
}

ms3_status_t ms3_unprotect(ms3_session_t ctx,
                           const uint8_t *srtp,
                           size_t srtp_len,
                           uint8_t *rtp,
                           size_t *rtp_len)
{
  return unprotect_common(false, ctx, srtp, srtp_len, rtp, rtp_len);
}

ms3_status_t ms3_protect_rtcp(ms3_session_t ctx,
                              const uint8_t *rtcp,
                              size_t rtcp_len,
                              uint8_t *srtcp,
                              size_t *srtcp_len,
                              size_t mki_index)
{
  return protect_common(true, ctx, rtcp, rtcp_len, srtcp, srtcp_len, mki_index);
}

ms3_status_t ms3_unprotect_rtcp(ms3_session_t ctx,
                                const uint8_t *srtcp,
                                size_t srtcp_len,
                                uint8_t *rtcp,
                                size_t *rtcp_len)
{
  return unprotect_common(true, ctx, srtcp, srtcp_len, rtcp, rtcp_len);
}
