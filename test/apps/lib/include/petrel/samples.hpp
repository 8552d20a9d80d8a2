// SPDX-License-Identifier: BSD-2-Clause
// test helpers: a benchmark's samples summed up as min / median / max, and the padded name column of its lines.
//
// The benchmarks (test/bench: bench, irqbench, vmbench) take an odd number
// of samples per figure, so the median is one of them, and print one line per
// figure in a format of their own (scripts/bench parses bench's); only the
// summary and the padding of the name are common, and live here. Nothing here
// runs while a benchmark counts.
#pragma once

#include "petrel/types.hpp"

namespace petrel {

struct SampleSummary {
    u32 min, median, max;
};

// Sorts s[0..n) into ascending order, in place, and returns s[0], s[n / 2]
// (the median when n is odd; the upper of the two middle ones when even) and
// s[n - 1]. n must be at least 1.
SampleSummary summarize(u32 *s, u32 n);

// Prints `text`, then spaces up to `width` characters (none if it is as long
// or longer): a left-aligned column, which printf's field width (right-aligned)
// does not give.
void print_padded(const char *text, u32 width);

}  // namespace petrel
