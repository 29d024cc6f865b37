/* TML_MARK(id): per-layer cycle attribution in tinyml-compile's emulator.
 *
 * Wrap each kernel call of generated code as
 *     TML_MARK(3);  tml_fully_connected_s8(...);  TML_MARK(TML_MARK_NONE);
 * and the emulator reports the cycles and instructions executed between a
 * TML_MARK(id) and the next TML_MARK as belonging to `id` (M4Runner's
 * MarkerProfile). The regions of all ids, TML_MARK_NONE included, add up to
 * the total. Each mark costs a call and a store (a handful of cycles, which
 * are charged to the region being entered).
 *
 * The store goes to a word in the Cortex-M private peripheral bus ROM-table
 * area that the emulator maps; on hardware define TML_NO_MARKERS to compile
 * the marks away. */
#ifndef TML_MARKER_H_
#define TML_MARKER_H_

#include <stdint.h>

#define TML_MARK_ADDRESS 0xE00FF000u
#define TML_MARK_NONE 0xFFFFu

#if defined(TML_NO_MARKERS)
#define TML_MARK(id) ((void)0)
#else
/* Out of line so the store starts its own emulator block: the attribution
 * then switches exactly at the call. */
__attribute__((noinline, unused)) static void tml_mark(uint32_t id) {
  *(volatile uint32_t*)TML_MARK_ADDRESS = id;
}
#define TML_MARK(id) tml_mark((uint32_t)(id))
#endif

#endif /* TML_MARKER_H_ */
