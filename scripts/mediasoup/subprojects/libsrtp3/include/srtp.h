/*
 * srtp.h - the subset of the libsrtp 3 API that mediasoup 3.27.x uses,
 * provided by a thin adapter over Debian's libsrtp 2.5 (see srtp3_compat.h
 * and ../src/srtp3_compat.c). Not the real libsrtp 3 header.
 *
 * Names are mapped with typedefs, enumerator macros and static inline
 * wrappers so that every call is type-checked against srtp3_compat.h.
 */
#ifndef MS3_LIBSRTP3_SUBSET_SRTP_H
#define MS3_LIBSRTP3_SUBSET_SRTP_H

#include "srtp3_compat.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SRTP_MAX_TAG_LEN MS3_MAX_TAG_LEN
#define SRTP_MAX_MKI_LEN MS3_MAX_MKI_LEN
#define SRTP_MAX_TRAILER_LEN MS3_MAX_TRAILER_LEN
#define SRTP_SRCTP_INDEX_LEN MS3_SRTCP_INDEX_LEN
#define SRTP_MAX_SRTCP_TRAILER_LEN MS3_MAX_SRTCP_TRAILER_LEN

typedef ms3_status_t srtp_err_status_t;
#define srtp_err_status_ok MS3_STATUS_OK
#define srtp_err_status_fail MS3_STATUS_FAIL
#define srtp_err_status_bad_param MS3_STATUS_BAD_PARAM
#define srtp_err_status_alloc_fail MS3_STATUS_ALLOC_FAIL
#define srtp_err_status_dealloc_fail MS3_STATUS_DEALLOC_FAIL
#define srtp_err_status_init_fail MS3_STATUS_INIT_FAIL
#define srtp_err_status_terminus MS3_STATUS_TERMINUS
#define srtp_err_status_auth_fail MS3_STATUS_AUTH_FAIL
#define srtp_err_status_cipher_fail MS3_STATUS_CIPHER_FAIL
#define srtp_err_status_replay_fail MS3_STATUS_REPLAY_FAIL
#define srtp_err_status_replay_old MS3_STATUS_REPLAY_OLD
#define srtp_err_status_algo_fail MS3_STATUS_ALGO_FAIL
#define srtp_err_status_no_such_op MS3_STATUS_NO_SUCH_OP
#define srtp_err_status_no_ctx MS3_STATUS_NO_CTX
#define srtp_err_status_cant_check MS3_STATUS_CANT_CHECK
#define srtp_err_status_key_expired MS3_STATUS_KEY_EXPIRED
#define srtp_err_status_socket_err MS3_STATUS_SOCKET_ERR
#define srtp_err_status_signal_err MS3_STATUS_SIGNAL_ERR
#define srtp_err_status_nonce_bad MS3_STATUS_NONCE_BAD
#define srtp_err_status_read_fail MS3_STATUS_READ_FAIL
#define srtp_err_status_write_fail MS3_STATUS_WRITE_FAIL
#define srtp_err_status_parse_err MS3_STATUS_PARSE_ERR
#define srtp_err_status_encode_err MS3_STATUS_ENCODE_ERR
#define srtp_err_status_semaphore_err MS3_STATUS_SEMAPHORE_ERR
#define srtp_err_status_pfkey_err MS3_STATUS_PFKEY_ERR
#define srtp_err_status_bad_mki MS3_STATUS_BAD_MKI
#define srtp_err_status_pkt_idx_old MS3_STATUS_PKT_IDX_OLD
#define srtp_err_status_pkt_idx_adv MS3_STATUS_PKT_IDX_ADV
#define srtp_err_status_buffer_small MS3_STATUS_BUFFER_SMALL
#define srtp_err_status_cryptex_err MS3_STATUS_CRYPTEX_ERR
#define srtp_err_status_direction_mismatch MS3_STATUS_DIRECTION_MISMATCH

typedef ms3_profile_t srtp_profile_t;
#define srtp_profile_reserved MS3_PROFILE_RESERVED
#define srtp_profile_null_null MS3_PROFILE_NULL_NULL
#define srtp_profile_aes128_cm_sha1_80 MS3_PROFILE_AES128_CM_SHA1_80
#define srtp_profile_aes128_cm_sha1_32 MS3_PROFILE_AES128_CM_SHA1_32
#define srtp_profile_aes192_cm_sha1_80 MS3_PROFILE_AES192_CM_SHA1_80
#define srtp_profile_aes192_cm_sha1_32 MS3_PROFILE_AES192_CM_SHA1_32
#define srtp_profile_aes256_cm_sha1_80 MS3_PROFILE_AES256_CM_SHA1_80
#define srtp_profile_aes256_cm_sha1_32 MS3_PROFILE_AES256_CM_SHA1_32
#define srtp_profile_null_sha1_80 MS3_PROFILE_NULL_SHA1_80
#define srtp_profile_null_sha1_32 MS3_PROFILE_NULL_SHA1_32
#define srtp_profile_aead_aes_128_gcm MS3_PROFILE_AEAD_AES_128_GCM
#define srtp_profile_aead_aes_256_gcm MS3_PROFILE_AEAD_AES_256_GCM

typedef ms3_ssrc_type_t srtp_ssrc_type_t;
typedef ms3_ssrc_t srtp_ssrc_t;
#define ssrc_undefined MS3_SSRC_UNDEFINED
#define ssrc_specific MS3_SSRC_SPECIFIC
#define ssrc_any_inbound MS3_SSRC_ANY_INBOUND
#define ssrc_any_outbound MS3_SSRC_ANY_OUTBOUND

typedef ms3_event_t srtp_event_t;
typedef ms3_event_data_t srtp_event_data_t;
typedef ms3_event_handler_func_t srtp_event_handler_func_t;
#define event_ssrc_collision MS3_EVENT_SSRC_COLLISION
#define event_key_soft_limit MS3_EVENT_KEY_SOFT_LIMIT
#define event_key_hard_limit MS3_EVENT_KEY_HARD_LIMIT
#define event_packet_index_limit MS3_EVENT_PACKET_INDEX_LIMIT

typedef ms3_session_t srtp_t;
typedef ms3_policy_t srtp_policy_t;

static inline srtp_err_status_t srtp_init(void)
{
  return ms3_init();
}

static inline srtp_err_status_t srtp_shutdown(void)
{
  return ms3_shutdown();
}

static inline const char *srtp_get_version_string(void)
{
  return ms3_get_version_string();
}

static inline srtp_err_status_t srtp_install_event_handler(srtp_event_handler_func_t *func)
{
  return ms3_install_event_handler(func);
}

static inline srtp_err_status_t srtp_policy_create(srtp_policy_t *policy)
{
  return ms3_policy_create(policy);
}

static inline void srtp_policy_destroy(srtp_policy_t policy)
{
  ms3_policy_destroy(policy);
}

static inline srtp_err_status_t srtp_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc)
{
  return ms3_policy_set_ssrc(policy, ssrc);
}

static inline srtp_err_status_t srtp_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile)
{
  return ms3_policy_set_profile(policy, profile);
}

static inline srtp_err_status_t srtp_policy_add_key(srtp_policy_t policy,
                                                    const uint8_t *key,
                                                    size_t key_len,
                                                    const uint8_t *salt,
                                                    size_t salt_len,
                                                    const uint8_t *mki,
                                                    size_t mki_len)
{
  return ms3_policy_add_key(policy, key, key_len, salt, salt_len, mki, mki_len);
}

static inline srtp_err_status_t srtp_policy_set_window_size(srtp_policy_t policy, size_t window_size)
{
  return ms3_policy_set_window_size(policy, window_size);
}

static inline srtp_err_status_t srtp_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow)
{
  return ms3_policy_set_allow_repeat_tx(policy, allow);
}

static inline size_t srtp_profile_get_master_key_length(srtp_profile_t profile)
{
  return ms3_profile_get_master_key_length(profile);
}

static inline size_t srtp_profile_get_master_salt_length(srtp_profile_t profile)
{
  return ms3_profile_get_master_salt_length(profile);
}

static inline srtp_err_status_t srtp_create(srtp_t *session, const srtp_policy_t policy)
{
  return ms3_create(session, policy);
}

static inline srtp_err_status_t srtp_dealloc(srtp_t session)
{
  return ms3_dealloc(session);
}

static inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
  return ms3_stream_remove(session, ssrc);
}

static inline srtp_err_status_t srtp_protect(srtp_t ctx,
                                             const uint8_t *rtp,
                                             size_t rtp_len,
                                             uint8_t *srtp,
                                             size_t *srtp_len,
                                             size_t mki_index)
{
  return ms3_protect(ctx, rtp, rtp_len, srtp, srtp_len, mki_index);
}

static inline srtp_err_status_t srtp_unprotect(srtp_t ctx,
                                               const uint8_t *srtp,
                                               size_t srtp_len,
                                               uint8_t *rtp,
                                               size_t *rtp_len)
{
  return ms3_unprotect(ctx, srtp, srtp_len, rtp, rtp_len);
}

static inline srtp_err_status_t srtp_protect_rtcp(srtp_t ctx,
                                                  const uint8_t *rtcp,
                                                  size_t rtcp_len,
                                                  uint8_t *srtcp,
                                                  size_t *srtcp_len,
                                                  size_t mki_index)
{
  return ms3_protect_rtcp(ctx, rtcp, rtcp_len, srtcp, srtcp_len, mki_index);
}

static inline srtp_err_status_t srtp_unprotect_rtcp(srtp_t ctx,
                                                    const uint8_t *srtcp,
                                                    size_t srtcp_len,
                                                    uint8_t *rtcp,
                                                    size_t *rtcp_len)
{
  return ms3_unprotect_rtcp(ctx, srtcp, srtcp_len, rtcp, rtcp_len);
}

#ifdef __cplusplus
}
#endif

#endif /* MS3_LIBSRTP3_SUBSET_SRTP_H */
