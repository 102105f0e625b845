/* Intentionally empty: placeholder object for link_whole (offline shim). */
typedef int ms_offline_shim_empty_translation_unit;
