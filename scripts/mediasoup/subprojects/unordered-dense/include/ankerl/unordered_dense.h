// Offline stand-in for ankerl::unordered_dense (used by the mediasoup worker).
//
// The real header-only library cannot be downloaded here. mediasoup only uses
// ankerl::unordered_dense::{map, set, hash} as drop-in hash containers, so
// they are mapped onto the standard containers: same semantics (unique keys,
// find/insert/erase/emplace/try_emplace/contains, ...), slower, and the
// iteration order is unspecified (the real map iterates in insertion order
// until an element is erased; no dependence on that was found in mediasoup).
//
// hash<T>: integral, enum and pointer keys get a 64-bit multiply-xorshift mix
// (the same "mum" mixing idea as the real library's wyhash path) so that the
// Boost-style HashCombine() chains mediasoup builds on top of it keep a good
// bit distribution; every other type falls back to std::hash<T>.
#ifndef MS_OFFLINE_ANKERL_UNORDERED_DENSE_H
#define MS_OFFLINE_ANKERL_UNORDERED_DENSE_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	namespace detail
	{
		inline std::uint64_t mix(std::uint64_t x) noexcept
		{
			const unsigned __int128 r =
			  static_cast<unsigned __int128>(x) * static_cast<unsigned __int128>(UINT64_C(0x9E3779B97F4A7C15));

			return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
		}
	} // namespace detail

	template<typename T, typename Enable = void>
	struct hash : std::hash<T>
	{
	};

	template<typename T>
	struct hash<T, std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T>>>
	{
		std::size_t operator()(const T& value) const noexcept
		{
			if constexpr (std::is_enum_v<T>)
			{
				return static_cast<std::size_t>(
				  detail::mix(static_cast<std::uint64_t>(static_cast<std::underlying_type_t<T>>(value))));
			}
			else
			{
				return static_cast<std::size_t>(detail::mix(static_cast<std::uint64_t>(value)));
			}
		}
	};

	template<typename T>
	struct hash<T*>
	{
		std::size_t operator()(T* value) const noexcept
		{
			return static_cast<std::size_t>(
			  detail::mix(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(value))));
		}
	};

	template<
	  typename Key,
	  typename T,
	  typename Hash      = hash<Key>,
	  typename KeyEqual  = std::equal_to<Key>,
	  typename Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<
	  typename Key,
	  typename Hash      = hash<Key>,
	  typename KeyEqual  = std::equal_to<Key>,
	  typename Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
