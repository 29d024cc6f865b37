// The distillation losses fine-tuning minimises (passes/finetune.cc), apart
// from the training machinery so that each can be checked on its own.
#ifndef TML_PASSES_FINETUNE_LOSS_H_
#define TML_PASSES_FINETUNE_LOSS_H_

#include <cstddef>
#include <cstdint>

namespace tml {

// A language model's loss on one window of per-position logits [positions,
// vocab]: per position, KL(teacher || student) of the next-token
// distributions, plus ce_weight x the cross-entropy against the window's own
// next token when `tokens` (the window's input ids, `positions` of them) is
// given (token t+1 labels position t; the last position has no label), both
// averaged over positions. KL rather than squared logits: perplexity depends
// on the likely tokens, while a squared error weighs each logit of an
// unlikely token as much. Returns the loss; writes grad_scale x dLoss/dlogit
// into dy (overwritten). Token ids outside [0, vocab) give no label.
double LanguageModelLoss(const float* student, const float* teacher, size_t positions, size_t vocab,
                         const int64_t* tokens, double ce_weight, double grad_scale, float* dy);

}  // namespace tml

#endif  // TML_PASSES_FINETUNE_LOSS_H_
