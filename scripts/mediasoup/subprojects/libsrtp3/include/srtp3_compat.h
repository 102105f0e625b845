/*
 * srtp3_compat.h - the ms3_* adapter API (implemented over Debian's libsrtp 2.5).
 *
 * Every name here carries the ms3_/MS3_ prefix so that this header can be
 * included together with libsrtp2's <srtp2/srtp.h> in the implementation
 * (src/srtp3_compat.c), which lets the compiler check that both sides agree.
 * mediasoup itself never includes this file directly: it includes "srtp.h",
 * which maps the libsrtp 3 names mediasoup uses onto these declarations.
 *
 * Only what mediasoup 3.27.x calls is provided. See ../../../README.md
 * ("libsrtp3 adapter") for the semantics and the security notes.
 */
#ifndef MS3_SRTP3_COMPAT_H
#define MS3_SRTP3_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: numerically identical to libsrtp 3 (and, for 0..27, to
 * libsrtp 2; the implementation static_asserts that). */
typedef enum {
  MS3_STATUS_OK = 0,
  MS3_STATUS_FAIL = 1,
  MS3_STATUS_BAD_PARAM = 2,
  MS3_STATUS_ALLOC_FAIL = 3,
  MS3_STATUS_DEALLOC_FAIL = 4,
  MS3_STATUS_INIT_FAIL = 5,
  MS3_STATUS_TERMINUS = 6,
  MS3_STATUS_AUTH_FAIL = 7,
  MS3_STATUS_CIPHER_FAIL = 8,
  MS3_STATUS_REPLAY_FAIL = 9,
  MS3_STATUS_REPLAY_OLD = 10,
  MS3_STATUS_ALGO_FAIL = 11,
  MS3_STATUS_NO_SUCH_OP = 12,
  MS3_STATUS_NO_CTX = 13,
  MS3_STATUS_CANT_CHECK = 14,
  MS3_STATUS_KEY_EXPIRED = 15,
  MS3_STATUS_SOCKET_ERR = 16,
  MS3_STATUS_SIGNAL_ERR = 17,
  MS3_STATUS_NONCE_BAD = 18,
  MS3_STATUS_READ_FAIL = 19,
  MS3_STATUS_WRITE_FAIL = 20,
  MS3_STATUS_PARSE_ERR = 21,
  MS3_STATUS_ENCODE_ERR = 22,
  MS3_STATUS_SEMAPHORE_ERR = 23,
  MS3_STATUS_PFKEY_ERR = 24,
  MS3_STATUS_BAD_MKI = 25,
  MS3_STATUS_PKT_IDX_OLD = 26,
  MS3_STATUS_PKT_IDX_ADV = 27,
  MS3_STATUS_BUFFER_SMALL = 28,
  MS3_STATUS_CRYPTEX_ERR = 29,
  MS3_STATUS_DIRECTION_MISMATCH = 30
} ms3_status_t;

/* Profiles: libsrtp 3 numbering (differs from libsrtp 2's). Only the four
 * profiles mediasoup negotiates are accepted by ms3_policy_set_profile(); the
 * others exist so that the names resolve, and are rejected (never a NULL
 * cipher or NULL auth). */
typedef enum {
  MS3_PROFILE_RESERVED = 0,
  MS3_PROFILE_NULL_NULL = 1,
  MS3_PROFILE_AES128_CM_SHA1_80 = 2,
  MS3_PROFILE_AES128_CM_SHA1_32 = 3,
  MS3_PROFILE_AES192_CM_SHA1_80 = 4,
  MS3_PROFILE_AES192_CM_SHA1_32 = 5,
  MS3_PROFILE_AES256_CM_SHA1_80 = 6,
  MS3_PROFILE_AES256_CM_SHA1_32 = 7,
  MS3_PROFILE_NULL_SHA1_80 = 8,
  MS3_PROFILE_NULL_SHA1_32 = 9,
  MS3_PROFILE_AEAD_AES_128_GCM = 10,
  MS3_PROFILE_AEAD_AES_256_GCM = 11
} ms3_profile_t;

typedef enum {
  MS3_SSRC_UNDEFINED = 0,
  MS3_SSRC_SPECIFIC = 1,
  MS3_SSRC_ANY_INBOUND = 2,
  MS3_SSRC_ANY_OUTBOUND = 3
} ms3_ssrc_type_t;

typedef struct {
  ms3_ssrc_type_t type;
  uint32_t value;
} ms3_ssrc_t;

typedef enum {
  MS3_EVENT_SSRC_COLLISION = 0,
  MS3_EVENT_KEY_SOFT_LIMIT = 1,
  MS3_EVENT_KEY_HARD_LIMIT = 2,
  MS3_EVENT_PACKET_INDEX_LIMIT = 3
} ms3_event_t;

/* Opaque handles. An ms3_session_t is a libsrtp2 srtp_t in disguise. */
typedef struct ms3_session_opaque *ms3_session_t;
typedef struct ms3_policy_opaque *ms3_policy_t;

typedef struct {
  ms3_session_t session;
  uint32_t ssrc;
  ms3_event_t event;
} ms3_event_data_t;

typedef void(ms3_event_handler_func_t)(ms3_event_data_t *data);

/* Trailer sizes (same values as libsrtp 2 and 3). */
#define MS3_MAX_TAG_LEN 16
#define MS3_MAX_MKI_LEN 128
#define MS3_MAX_TRAILER_LEN (MS3_MAX_TAG_LEN + MS3_MAX_MKI_LEN)
#define MS3_SRTCP_INDEX_LEN 4
#define MS3_MAX_SRTCP_TRAILER_LEN (MS3_SRTCP_INDEX_LEN + MS3_MAX_TRAILER_LEN)

ms3_status_t ms3_init(void);
ms3_status_t ms3_shutdown(void);
const char *ms3_get_version_string(void);
ms3_status_t ms3_install_event_handler(ms3_event_handler_func_t *func);

ms3_status_t ms3_policy_create(ms3_policy_t *policy);
void ms3_policy_destroy(ms3_policy_t policy);
ms3_status_t ms3_policy_set_ssrc(ms3_policy_t policy, ms3_ssrc_t ssrc);
ms3_status_t ms3_policy_set_profile(ms3_policy_t policy, ms3_profile_t profile);
ms3_status_t ms3_policy_add_key(ms3_policy_t policy,
                                const uint8_t *key,
                                size_t key_len,
                                const uint8_t *salt,
                                size_t salt_len,
                                const uint8_t *mki,
                                size_t mki_len);
ms3_status_t ms3_policy_set_window_size(ms3_policy_t policy, size_t window_size);
ms3_status_t ms3_policy_set_allow_repeat_tx(ms3_policy_t policy, bool allow);

size_t ms3_profile_get_master_key_length(ms3_profile_t profile);
size_t ms3_profile_get_master_salt_length(ms3_profile_t profile);

ms3_status_t ms3_create(ms3_session_t *session, const ms3_policy_t policy);
ms3_status_t ms3_dealloc(ms3_session_t session);
/* ssrc is passed through unchanged to libsrtp2's srtp_remove_stream(), which
 * expects NETWORK byte order (what mediasoup 3.27 passes). */
ms3_status_t ms3_stream_remove(ms3_session_t session, uint32_t ssrc);

ms3_status_t ms3_protect(ms3_session_t ctx,
                         const uint8_t *rtp,
                         size_t rtp_len,
                         uint8_t *srtp,
                         size_t *srtp_len,
                         size_t mki_index);
ms3_status_t ms3_unprotect(ms3_session_t ctx,
                           const uint8_t *srtp,
                           size_t srtp_len,
                           uint8_t *rtp,
                           size_t *rtp_len);
ms3_status_t ms3_protect_rtcp(ms3_session_t ctx,
                              const uint8_t *rtcp,
                              size_t rtcp_len,
                              uint8_t *srtcp,
                              size_t *srtcp_len,
                              size_t mki_index);
ms3_status_t ms3_unprotect_rtcp(ms3_session_t ctx,
                                const uint8_t *srtcp,
                                size_t srtcp_len,
                                uint8_t *rtcp,
                                size_t *rtcp_len);

#ifdef __cplusplus
}
#endif

#endif /* MS3_SRTP3_COMPAT_H */
