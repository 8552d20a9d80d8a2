// SPDX-License-Identifier: BSD-2-Clause
// test helpers: min / median / max of benchmark samples, and a padded column (see samples.hpp).
#include "petrel/samples.hpp"

#include "petrel/user.hpp"

namespace petrel {

SampleSummary summarize(u32 *s, u32 n) {
    // Insertion sort: a thousand samples, once per figure, outside any count.
    for (u32 i = 1; i < n; ++i)
        for (u32 j = i; j > 0 && s[j - 1] > s[j]; --j) {
            const u32 t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    return {s[0], s[n / 2], s[n - 1]};
}

void print_padded(const char *text, u32 width) {
    u32 len = 0;
    while (text[len]) ++len;
    printf("%s", text);
    for (; len < width; ++len) printf(" ");
}

}  // namespace petrel
