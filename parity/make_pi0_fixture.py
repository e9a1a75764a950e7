"""pi0 parity fixture, made with the ORIGINAL LeRobot pi0 code (training forward, float32, CPU).

Follows make_pi05_fixture.py step for step; what differs is pi0's own: the state token, the action-time MLP, plain
Gemma RMSNorm (1 + w) in both streams (no adaRMS), and the mask flags.

Reference code (unmodified upstream files, unpacked by ../shared/realref/setup.sh):
  - LeRobot cbc8bfb2, src/lerobot/policies/pi0/modeling_pi0.py (PI0Policy, PI0Pytorch, PaliGemmaWithExpertModel,
    compute_layer_complete, create_sinusoidal_pos_embedding, make_att_2d_masks) and configuration_pi0.py (PI0Config);
    src/lerobot/utils/constants.py (OPENPI_ATTENTION_MASK_VALUE = -2.3819763e38).
  - transformers v4.53 cut 0a8081b0 with openpi's `transformers_replace` files (what LeRobot's `pi` extra installs):
    models/gemma/modeling_gemma.py (GemmaRMSNorm: x * rsqrt(mean(x^2) + 1e-6) * (1 + w) when no cond; _gated_residual
    = plain sum when the gate is None; eager_attention_forward; rotary), models/paligemma/modeling_paligemma.py
    (get_image_features WITHOUT HF's / sqrt(hidden) of the image features), models/siglip/modeling_siglip.py.
  - torch 1.13.1 (Debian), eager attention everywhere.

Rerun (no network; writes src/test/resources/parity/pi0/):
    . /tmp/realref/env-pi.sh && "$PY" parity/make_pi0_fixture.py [OUTPUT_DIR]
On a fresh machine the environment comes from:  bash /work/shared/realref/setup.sh /tmp/realref

What runs: PI0Policy(PI0Config(...)).model.forward(images, img_masks, tokens, masks, state, actions, noise, time),
i.e. LeRobot's own training forward (modeling_pi0.py:743-800):
  prefix = [SigLIP + projector image tokens (not scaled), embed_tokens(prompt) x sqrt(64)], flags 0 (embed_prefix,
           :637-678);
  suffix = [state_proj(state) (1 token, flag 1), then for the 50 steps
            action_time_mlp_out(silu(action_time_mlp_in(concat(action_in_proj(x_t), sinusoidal(t))))), flags 1, 0, ..0]
           (embed_suffix, :680-741), x_t = t*noise + (1-t)*actions; sinusoidal over action_in_proj.out_features = 32,
           periods min_period 4e-3 .. max_period 4.0 (configuration_pi0.py:50-51), [sin..., cos...], float64 then
           float32 (create_sinusoidal_pos_embedding, :75-92);
  mask   = make_att_2d_masks (cumsum of the flags, :103-132), 0 / -2.3819763e38 (:616-619); positions cumsum(pad)-1;
  4 joint layers (compute_layer_complete, :221-291, use_adarms [False, False] :555), final norms, action_out_proj on
  the last 50 suffix rows, per-element MSE against u = noise - actions.
Each sample runs as its own batch of 1 (no padding); the right-padded 2-sample batch is run too and checked against
the per-sample states (see the self-checks).

Non-math glue (the realref LeRobot cut holds only lerobot/policies and lerobot/utils/constants.py), as for pi0.5:
  - stub modules, installed in sys.modules before the import: lerobot.utils.import_utils (_transformers_available =
    True), lerobot.configs.policies.PreTrainedConfig (a dataclass with n_obs_steps, input_features, output_features,
    device, use_amp; register_subclass is a no-op decorator; device None -> "cpu"), lerobot.configs.types
    (FeatureType, NormalizationMode, PolicyFeature, as upstream's enums), lerobot.optim.{optimizers,schedulers}
    (placeholder config dataclasses), lerobot.policies.rtc.{configuration_rtc,modeling_rtc} (placeholders; rtc_config
    is None so RTC never runs), lerobot.policies.pretrained (PreTrainedPolicy = nn.Module keeping .config, T), and the
    package lerobot.policies.pi0 itself (so its __init__, which imports processor_pi0 and its pipeline deps, is
    skipped; modeling_pi0.py and configuration_pi0.py are imported from the upstream files).
  - transformers.models.siglip.check.check_whether_transformers_replace_is_installed_correctly -> True (it compares
    transformers.__version__ with "4.53.2"; the realref cut is 4.53.0.dev0 with the same replace files).
  - the vision tower's config gets _attn_implementation = "eager" (torch 1.13 has no SDPA; the joint layers call
    eager_attention_forward directly anyway).
  - recording only: modeling_pi0.compute_layer_complete is wrapped to copy its inputs (layer 0) and outputs;
    PI0Pytorch.embed_suffix is wrapped to copy the time embedding it computes (same call, same arguments); forward
    hooks on SigLIP's embeddings and encoder layers and on action_out_proj. None of them changes any value.

PATCHES to upstream sizes (the model is tiny; every patch is a size, none changes the math):
  1. modeling_pi0.get_gemma_config (modeling_pi0.py:306-327 hard-codes gemma_2b / gemma_300m): replaced by
     "gemma_2b" -> width 64, depth 4, mlp_dim 128, 8 heads, 1 kv head, head_dim 256;
     "gemma_300m" -> width 32, depth 4, mlp_dim 64, 8 heads, 1 kv head, head_dim 256.
     8 heads x 256 are kept because compute_layer_complete hard-codes `1 * 8 * head_dim` in its reshape
     (modeling_pi0.py:269) and Plateau's PaliGemmaPrefix hard-codes HEAD_DIM 256.
  2. PaliGemmaWithExpertModel.__init__ (modeling_pi0.py:335-390, the same text as pi0.5's), source-patched by exact
     string replacement (each asserted to match once, see PATCHES below; the patched class is exec'd into the module):
     - vocab 257152 -> 512 (vlm_config_hf._vocab_size, image_token_index, text_config.vocab_size, expert vocab_size;
       :352, :353, :362, :378);
     - vision_config.intermediate_size 4304 -> 288 (:366); vision_config.projection_dim 2048 -> vlm_config.width (64)
       (:367);
     - added: vision_config.hidden_size 144, num_hidden_layers 2, num_attention_heads 2 (head 72, as SigLIP-so400m's
       1152/16), replacing PaliGemmaConfig's defaults 1152 / 27 / 16. patch 14, image 56 -> 16 patches per image.
  Config: chunk_size 50, max_state_dim 32, max_action_dim 32, image_resolution (56, 56), tokenizer_max_length 48,
  min_period 4e-3, max_period 4.0, dtype float32 (all upstream defaults but the image size).

WEIGHTS, drawn like make_pi05_fixture.py's realistic() (seed 0, in named_parameters order): embed_tokens and SigLIP's
position_embedding N(0, 1); SigLIP LayerNorm weights 1 + 0.1 N(0, 1); Gemma RMSNorm weights (used as 1 + w)
0.1 N(0, 1); other 1-D tensors (biases) 0.02 N(0, 1); every other matrix (incl. the patch-embedding kernel, the
projector, state_proj, action_in/out_proj, action_time_mlp_in/out) N(0, 1/fan_in). The PaliGemma lm_head is tied to
embed_tokens (one tensor).

FILES written to src/test/resources/parity/pi0/:
  - model.safetensors: saved exactly as LeRobot saves a policy (safetensors.torch.save_model(policy), float32), so the
    names carry the `model.` prefix and this transformers' layout: model.paligemma_with_expert.paligemma.model.
    {vision_tower.vision_model.*, multi_modal_projector.linear.*, language_model.*},
    model.paligemma_with_expert.gemma_expert.{model.layers.*, model.norm.weight, lm_head.weight},
    model.{state_proj, action_in_proj, action_out_proj, action_time_mlp_in, action_time_mlp_out}.*. save_model drops
    one name of each tied pair: embed_tokens.weight is NOT in the file, the language embedding is
    `...paligemma.lm_head.weight` (same tensor).
  - config.json: the PI0Config as LeRobot writes it (dataclass fields, "type": "pi0"), with image_resolution [56, 56],
    one camera feature observation.images.base_0_rgb [3, 56, 56], observation.state [32] and action [32] (added by
    validate_features).
  - inputs.json: {"tokens": [[20 ids], [24 ids]], "time": [0.3, 0.8], "cameras": [1, 1], "arrays": ...}; ids in
    [1, 512), no padding. inputs.safetensors: images.<s> [1, 3, 56, 56] (already-preprocessed pixels in [-1, 1]),
    state.<s> [32] (dims 0..6 uniform in [-1, 1], the rest 0, as pad_vector leaves a 7-dim state),
    noise.<s> [50, 32], actions.<s> [50, 32] (float32). Tokens, images, noise and actions are the same draws as the
    pi0.5 fixture's (the state is drawn after them).
  - hidden_states.safetensors: rows of sample 0 then sample 1, float32:
      vision.-1 (SigLIP embeddings: patches + positions), vision.<l> (encoder layer l, before post_layernorm) [32, 144];
      vlm.-1 (prefix fed to joint layer 0: 16 image tokens after the projector, then the prompt x sqrt(64)),
      vlm.<l> (prefix stream after joint layer l, before the final norm) [16+20 + 16+24 = 76, 64];
      expert.-1 (suffix fed to joint layer 0: state_proj(state), then the 50 action-time tokens),
      expert.<l> (suffix stream after joint layer l, before the final norm) [51 + 51 = 102, 32].
  - extras.safetensors (debugging aids, not layer states): time_emb.<s> [1, 32] (the sinusoidal embedding after its
    float32 cast), v_t.<s> [50, 32], loss.<s> [50, 32].

SELF-CHECKS (printed): (a) another state, same t/noise/actions -> VLM states bit-identical (the prefix never sees the
suffix), expert.-1 moves only in row 0, every expert layer moves; (b) other actions (x_t), same state and t -> VLM
states and the STATE row of every expert layer bit-identical (the state never sees the actions), the action rows move;
(c) same noise/actions/state, t 0.3 vs 0.8 -> VLM identical, expert moves; (d) the right-padded 2-sample batch equals
the per-sample runs; (e) the saved file reloads into a fresh policy with LeRobot's loader (safetensors load_model,
strict): missing/unexpected both empty, and the fresh policy reproduces the saved states exactly; (f) the recorded
mask, positions, time embedding and expert.-1 recomputed with the formulas Plateau's Pi0Forward / ActionSuffix /
PaliGemmaPrefix use (levels 0 / 1 / 2, positions 0..N-1, geometric periods j/(half-1) in float64, 2 pi / period).
"""
import dataclasses
import enum
import inspect
import json
import math
import os
import sys
import types
from dataclasses import dataclass, field
from typing import Any, TypeVar

import torch
from torch import nn

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src",
                                                          "test", "resources", "parity", "pi0")

VOCAB = 512
VLM = dict(width=64, depth=4, mlp_dim=128, num_heads=8, num_kv_heads=1, head_dim=256)
EXPERT = dict(width=32, depth=4, mlp_dim=64, num_heads=8, num_kv_heads=1, head_dim=256)
VISION = dict(hidden_size=144, num_hidden_layers=2, num_attention_heads=2, intermediate_size=288)
IMAGE = 56
CHUNK = 50
STATE_DIM = 32
ACTION_DIM = 32
STATE_USED = 7  # a 7-dim robot state, zero-padded to max_state_dim as pad_vector does
TOKEN_LENGTHS = [20, 24]
TIMES = [0.3, 0.8]


# ---------------------------------------------------------------------------------------------------------------------
# Non-math glue: modules the realref LeRobot cut does not carry.
# ---------------------------------------------------------------------------------------------------------------------
def install_lerobot_stubs():
    def module(name, **attrs):
        m = types.ModuleType(name, "plateau fixture stub (non-math glue)")
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    import lerobot.utils.constants as constants  # upstream file; lerobot/ is a namespace package in the realref cut
    src = os.path.dirname(os.path.dirname(os.path.abspath(constants.__file__)))
    module("lerobot.utils.import_utils", _transformers_available=True)

    class FeatureType(str, enum.Enum):
        STATE = "STATE"
        VISUAL = "VISUAL"
        ENV = "ENV"
        ACTION = "ACTION"
        REWARD = "REWARD"
        LANGUAGE = "LANGUAGE"

    class NormalizationMode(str, enum.Enum):
        MIN_MAX = "MIN_MAX"
        MEAN_STD = "MEAN_STD"
        IDENTITY = "IDENTITY"
        QUANTILES = "QUANTILES"
        QUANTILE10 = "QUANTILE10"

    @dataclass
    class PolicyFeature:
        type: FeatureType
        shape: tuple

    module("lerobot.configs")
    module("lerobot.configs.types", FeatureType=FeatureType, NormalizationMode=NormalizationMode,
           PolicyFeature=PolicyFeature)

    @dataclass
    class PreTrainedConfig:
        n_obs_steps: int = 1
        input_features: dict = field(default_factory=dict)
        output_features: dict = field(default_factory=dict)
        device: str | None = None
        use_amp: bool = False

        @classmethod
        def register_subclass(cls, name):
            return lambda c: c

        def __post_init__(self):
            if self.device is None:
                self.device = "cpu"

        @property
        def image_features(self):
            return {k: f for k, f in self.input_features.items() if f.type is FeatureType.VISUAL}

    module("lerobot.configs.policies", PreTrainedConfig=PreTrainedConfig)

    @dataclass
    class AdamWConfig:
        lr: float = 1e-3
        betas: Any = (0.9, 0.999)
        eps: float = 1e-8
        weight_decay: float = 0.0
        grad_clip_norm: float = 1.0

    @dataclass
    class CosineDecayWithWarmupSchedulerConfig:
        peak_lr: float = 0.0
        decay_lr: float = 0.0
        num_warmup_steps: int = 0
        num_decay_steps: int = 0

    module("lerobot.optim")
    module("lerobot.optim.optimizers", AdamWConfig=AdamWConfig)
    module("lerobot.optim.schedulers", CosineDecayWithWarmupSchedulerConfig=CosineDecayWithWarmupSchedulerConfig)

    @dataclass
    class RTCConfig:
        enabled: bool = False

    class RTCProcessor:
        def __init__(self, *a, **k):
            raise RuntimeError("RTC is not used by this fixture")

    module("lerobot.policies.rtc")
    module("lerobot.policies.rtc.configuration_rtc", RTCConfig=RTCConfig)
    module("lerobot.policies.rtc.modeling_rtc", RTCProcessor=RTCProcessor)

    class PreTrainedPolicy(nn.Module):
        def __init__(self, config, *inputs, **kwargs):
            super().__init__()
            self.config = config

    module("lerobot.policies.pretrained", PreTrainedPolicy=PreTrainedPolicy, T=TypeVar("T"))
    # The pi0 package without its __init__ (which pulls in processor_pi0 and LeRobot's processor pipeline).
    pkg = module("lerobot.policies.pi0")
    pkg.__path__ = [os.path.join(src, "policies", "pi0")]
    return FeatureType, NormalizationMode, PolicyFeature


# ---------------------------------------------------------------------------------------------------------------------
# Visible size patches (PaliGemmaWithExpertModel.__init__ is the same text in pi0 and pi0.5).
# ---------------------------------------------------------------------------------------------------------------------
PATCHES = [
    ('vlm_config_hf._vocab_size = 257152', 'vlm_config_hf._vocab_size = %d' % VOCAB),
    ('vlm_config_hf.image_token_index = 257152', 'vlm_config_hf.image_token_index = %d' % VOCAB),
    ('vlm_config_hf.text_config.vocab_size = 257152', 'vlm_config_hf.text_config.vocab_size = %d' % VOCAB),
    ('vlm_config_hf.vision_config.intermediate_size = 4304',
     'vlm_config_hf.vision_config.intermediate_size = %d\n'
     '        vlm_config_hf.vision_config.hidden_size = %d\n'
     '        vlm_config_hf.vision_config.num_hidden_layers = %d\n'
     '        vlm_config_hf.vision_config.num_attention_heads = %d'
     % (VISION["intermediate_size"], VISION["hidden_size"], VISION["num_hidden_layers"],
        VISION["num_attention_heads"])),
    ('vlm_config_hf.vision_config.projection_dim = 2048', 'vlm_config_hf.vision_config.projection_dim = vlm_config.width'),
    ('            vocab_size=257152,\n', '            vocab_size=%d,\n' % VOCAB),
]


def patch_upstream(m):
    def tiny_gemma_config(variant):
        if variant == "gemma_2b":
            return m.GemmaConfig(**VLM)
        if variant == "gemma_300m":
            return m.GemmaConfig(**EXPERT)
        raise ValueError(variant)

    m.get_gemma_config = tiny_gemma_config  # PATCH 1
    src = inspect.getsource(m.PaliGemmaWithExpertModel)
    for old, new in PATCHES:  # PATCH 2
        if src.count(old) != 1:
            raise RuntimeError("upstream changed: %r matches %d times" % (old, src.count(old)))
        src = src.replace(old, new)
    exec(compile(src, m.__file__ + " [PaliGemmaWithExpertModel, size-patched]", "exec"), m.__dict__)
    import transformers.models.siglip.check as check
    check.check_whether_transformers_replace_is_installed_correctly = lambda: True


RECORD = None


def install_recorder(m):
    original = m.compute_layer_complete

    def recording(layer_idx, inputs_embeds, attention_mask, position_ids, adarms_cond, paligemma, gemma_expert):
        if RECORD is not None and layer_idx == 0:
            RECORD["vlm.-1"] = inputs_embeds[0].detach().clone()
            RECORD["expert.-1"] = inputs_embeds[1].detach().clone()
            RECORD["mask"] = attention_mask.detach().clone()
            RECORD["positions"] = position_ids.detach().clone()
            RECORD["adarms_cond"] = adarms_cond
        out = original(layer_idx, inputs_embeds, attention_mask, position_ids, adarms_cond,
                       paligemma=paligemma, gemma_expert=gemma_expert)
        if RECORD is not None:
            RECORD["vlm.%d" % layer_idx] = out[0].detach().clone()
            RECORD["expert.%d" % layer_idx] = out[1].detach().clone()
        return out

    m.compute_layer_complete = recording
    original_suffix = m.PI0Pytorch.embed_suffix

    def embed_suffix(self, state, noisy_actions, timestep):
        if RECORD is not None:  # the same call embed_suffix makes (modeling_pi0.py:702-709)
            RECORD["time_emb"] = m.create_sinusoidal_pos_embedding(
                timestep, self.action_in_proj.out_features, min_period=self.config.min_period,
                max_period=self.config.max_period, device=timestep.device).type(dtype=timestep.dtype)
        return original_suffix(self, state, noisy_actions, timestep)

    m.PI0Pytorch.embed_suffix = embed_suffix


def hook_vision(policy):
    vision = policy.model.paligemma_with_expert.paligemma.model.vision_tower.vision_model

    def hook(name):
        def fn(module, inputs, output):
            if RECORD is not None:
                RECORD[name] = (output[0] if isinstance(output, tuple) else output).detach().clone()
        return fn

    vision.embeddings.register_forward_hook(hook("vision.-1"))
    policy.model.action_out_proj.register_forward_hook(hook("v_t"))
    for i, layer in enumerate(vision.encoder.layers):
        layer.register_forward_hook(hook("vision.%d" % i))
    return len(vision.encoder.layers)


def realistic(model):
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("embed_tokens.weight") or name.endswith("position_embedding.weight"):
                p.copy_(torch.randn(p.shape, generator=g))
            elif p.dim() == 1 and "norm" in name and name.endswith("weight"):
                centre = 1.0 if "vision_tower" in name else 0.0  # LayerNorm w vs Gemma's (1 + w)
                p.copy_(centre + 0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() == 1:
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p[0].numel()))


def make_policy(m, PI0Config, FeatureType, PolicyFeature):
    config = PI0Config(device="cpu", dtype="float32", chunk_size=CHUNK, n_action_steps=CHUNK,
                       max_state_dim=STATE_DIM, max_action_dim=ACTION_DIM, image_resolution=(IMAGE, IMAGE),
                       tokenizer_max_length=48,
                       input_features={"observation.images.base_0_rgb":
                                       PolicyFeature(type=FeatureType.VISUAL, shape=(3, IMAGE, IMAGE))})
    policy = m.PI0Policy(config).float().eval()
    pg = policy.model.paligemma_with_expert.paligemma
    pg.config.vision_config._attn_implementation = "eager"
    pg.config.text_config._attn_implementation = "eager"
    policy.model.paligemma_with_expert.gemma_expert.config._attn_implementation = "eager"
    return policy


def inputs():
    g = torch.Generator().manual_seed(1)
    tokens = [torch.randint(1, VOCAB, (n,), generator=g) for n in TOKEN_LENGTHS]
    images = [torch.rand(1, 3, IMAGE, IMAGE, generator=g) * 2 - 1 for _ in TOKEN_LENGTHS]
    noise = [torch.randn(CHUNK, ACTION_DIM, generator=g) for _ in TOKEN_LENGTHS]
    actions = [torch.rand(CHUNK, ACTION_DIM, generator=g) * 2 - 1 for _ in TOKEN_LENGTHS]
    states = [draw_state(g) for _ in TOKEN_LENGTHS]
    return tokens, images, states, noise, actions


def draw_state(g):
    state = torch.zeros(STATE_DIM)
    state[:STATE_USED] = torch.rand(STATE_USED, generator=g) * 2 - 1
    return state


def run_one(policy, image, tokens, state, noise, actions, t):
    """LeRobot's training forward for one sample (batch 1); returns the recorded states and the loss."""
    global RECORD
    RECORD = {}
    with torch.no_grad():
        loss = policy.model.forward([image], [torch.ones(1, dtype=torch.bool)], tokens[None],
                                    torch.ones(1, tokens.numel(), dtype=torch.bool), state[None], actions[None],
                                    noise[None], torch.tensor([t], dtype=torch.float32))
    rec, RECORD = RECORD, None
    rec["loss"] = loss[0]
    return rec


def layer_states(rec, n_vision, depth):
    names = ["vision.%d" % i for i in range(-1, n_vision)] + ["vlm.%d" % i for i in range(-1, depth)] + \
            ["expert.%d" % i for i in range(-1, depth)]
    return {n: rec[n][0] for n in names}


def rel(a, b):
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


def plateau_time_embedding(t, width, min_period, max_period):
    """ActionSuffix.time's formula (float64, cast to float32): periods min * (max/min)^(j/(half-1)), angle t*2pi/p."""
    half = width // 2
    j = torch.arange(half, dtype=torch.float64)
    fraction = j / (half - 1) if half > 1 else torch.zeros(half, dtype=torch.float64)
    period = min_period * torch.pow(torch.tensor(max_period / min_period, dtype=torch.float64), fraction)
    angle = float(torch.tensor(t, dtype=torch.float32)) * (2 * math.pi / period)
    return torch.cat([torch.sin(angle), torch.cos(angle)]).float()[None]


def plateau_mask(prefix, suffix):
    """PaliGemmaPrefix.mask with Pi0Forward.levels: prefix level 0, state 1, actions 2; allowed when lj <= li."""
    level = torch.tensor([0] * prefix + [1] + [2] * (suffix - 1))
    return level[None, :] <= level[:, None]


def main():
    FeatureType, NormalizationMode, PolicyFeature = install_lerobot_stubs()
    from safetensors.torch import load_file, load_model, save_file, save_model
    from lerobot.policies.pi0 import modeling_pi0 as m
    from lerobot.policies.pi0.configuration_pi0 import PI0Config
    patch_upstream(m)
    install_recorder(m)

    torch.manual_seed(0)
    policy = make_policy(m, PI0Config, FeatureType, PolicyFeature)
    realistic(policy)
    n_vision = hook_vision(policy)
    depth = policy.model.paligemma_with_expert.paligemma.config.text_config.num_hidden_layers
    pg = policy.model.paligemma_with_expert.paligemma
    expert = policy.model.paligemma_with_expert.gemma_expert
    print("lm_head tied to embed_tokens:", pg.lm_head.weight is pg.model.language_model.embed_tokens.weight)
    print("adaRMS: vlm %s, expert %s (pi0: both False); expert norm has dense: %s" % (
        getattr(pg.config.text_config, "use_adarms", None), getattr(expert.config, "use_adarms", None),
        expert.model.layers[0].input_layernorm.dense is not None))
    print("attention scaling %.6g (head_dim^-0.5), heads %d x %d, kv heads %d" % (
        pg.model.language_model.layers[0].self_attn.scaling, pg.config.text_config.num_attention_heads,
        pg.config.text_config.head_dim, pg.config.text_config.num_key_value_heads))

    tokens, images, states_in, noise, actions = inputs()
    per_sample = []
    for s in range(2):
        rec = run_one(policy, images[s], tokens[s], states_in[s], noise[s], actions[s], TIMES[s])
        n = rec["positions"].shape[1]
        assert torch.equal(rec["positions"][0], torch.arange(n)), "positions are not 0..N-1"
        assert rec["adarms_cond"] == [None, None], rec["adarms_cond"]
        per_sample.append(rec)

    states = {}
    for name in layer_states(per_sample[0], n_vision, depth):
        states[name] = torch.cat([layer_states(r, n_vision, depth)[name] for r in per_sample]).contiguous().float()

    os.makedirs(OUT, exist_ok=True)
    save_file(states, os.path.join(OUT, "hidden_states.safetensors"), metadata={"format": "pt"})
    extras = {}
    for s, r in enumerate(per_sample):
        extras["time_emb.%d" % s] = r["time_emb"].contiguous().float()
        extras["v_t.%d" % s] = r["v_t"][0].contiguous().float()
        extras["loss.%d" % s] = r["loss"].contiguous().float()
    save_file(extras, os.path.join(OUT, "extras.safetensors"), metadata={"format": "pt"})
    arrays = {}
    for s in range(2):
        arrays["images.%d" % s] = images[s].contiguous()
        arrays["state.%d" % s] = states_in[s].contiguous()
        arrays["noise.%d" % s] = noise[s].contiguous()
        arrays["actions.%d" % s] = actions[s].contiguous()
    save_file(arrays, os.path.join(OUT, "inputs.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(OUT, "inputs.json"), "w") as f:
        json.dump({"tokens": [t.tolist() for t in tokens], "time": TIMES, "cameras": [1, 1],
                   "arrays": "inputs.safetensors: images.<s> [1,3,56,56] pixels in [-1,1]; state.<s> [32] (dims 0..6 "
                             "set, the rest 0); noise.<s>, actions.<s> [50,32]; x_t = t*noise + (1-t)*actions"}, f)
        f.write("\n")
    save_model(policy, os.path.join(OUT, "model.safetensors"), metadata={"format": "pt"})  # LeRobot's save path

    def plain(v):
        if isinstance(v, enum.Enum):
            return v.value
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if dataclasses.is_dataclass(v):
            return {k: plain(x) for k, x in dataclasses.asdict(v).items()}
        return v

    config = {"type": "pi0"}
    config.update({f.name: plain(getattr(policy.config, f.name)) for f in dataclasses.fields(policy.config)})
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=4)
        f.write("\n")

    # ---- reference summary ----
    print("\nreference summary (rows = sample 0 then sample 1):")
    for module in ("vision", "vlm", "expert"):
        names = [k for k in states if k.startswith(module + ".")]
        print("  %s: %d layers (+ input -1)" % (module, len(names) - 1))
        for k in names:
            print("    %-10s %-14s max|x| %.6g" % (k, list(states[k].shape), states[k].abs().max().item()))
    for s, r in enumerate(per_sample):
        print("  sample %d: t=%.2f  |state tok| max %.4g  |action tok| max %.4g  loss mean %.6g  prefix %d tokens, "
              "suffix %d" % (s, TIMES[s], r["expert.-1"][0, 0].abs().max().item(),
                             r["expert.-1"][0, 1:].abs().max().item(), r["loss"].mean().item(),
                             r["vlm.-1"].shape[1], r["expert.-1"].shape[1]))

    # ---- self-checks ----
    print("\nself-checks:")
    g = torch.Generator().manual_seed(7)
    base = run_one(policy, images[0], tokens[0], states_in[0], noise[0], actions[0], TIMES[0])

    def vlm_identical(x, y):
        return all(torch.equal(x["vlm.%d" % i], y["vlm.%d" % i]) for i in range(-1, depth))

    # (a) another state, everything else the same.
    other_state = draw_state(g)
    a = run_one(policy, images[0], tokens[0], other_state, noise[0], actions[0], TIMES[0])
    print("  (a) other state: vlm states identical %s; expert.-1 state row rel diff %.4f, action rows identical %s" % (
        vlm_identical(a, base), rel(a["expert.-1"][0, 0], base["expert.-1"][0, 0]),
        torch.equal(a["expert.-1"][0, 1:], base["expert.-1"][0, 1:])))
    print("      " + ", ".join("expert.%d state row %.4f / action rows %.4f" % (
        i, rel(a["expert.%d" % i][0, :1], base["expert.%d" % i][0, :1]),
        rel(a["expert.%d" % i][0, 1:], base["expert.%d" % i][0, 1:])) for i in range(depth)))
    # (b) other actions (so another x_t), same state and t: the state token must not see the actions.
    other_actions = torch.rand(CHUNK, ACTION_DIM, generator=g) * 2 - 1
    b = run_one(policy, images[0], tokens[0], states_in[0], noise[0], other_actions, TIMES[0])
    print("  (b) other actions: vlm states identical %s; state row identical in every expert layer %s" % (
        vlm_identical(b, base),
        all(torch.equal(b["expert.%d" % i][0, 0], base["expert.%d" % i][0, 0]) for i in range(-1, depth))))
    print("      " + ", ".join("expert.%d action rows %.4f" % (
        i, rel(b["expert.%d" % i][0, 1:], base["expert.%d" % i][0, 1:])) for i in range(-1, depth)))
    # (c) same noise/actions/state, t 0.3 vs 0.8.
    c = run_one(policy, images[0], tokens[0], states_in[0], noise[0], actions[0], 0.8)
    print("  (c) t 0.3 vs 0.8: vlm identical %s; " % vlm_identical(c, base) + ", ".join(
        "expert.%d %.4f" % (i, rel(c["expert.%d" % i], base["expert.%d" % i])) for i in range(-1, depth)))
    # (d) the 2-sample batch, prompts right-padded to 24 with pad mask 0.
    global RECORD
    L = max(TOKEN_LENGTHS)
    tok = torch.zeros(2, L, dtype=torch.long)
    msk = torch.zeros(2, L, dtype=torch.bool)
    for s in range(2):
        tok[s, :TOKEN_LENGTHS[s]] = tokens[s]
        msk[s, :TOKEN_LENGTHS[s]] = True
    RECORD = {}
    with torch.no_grad():
        policy.model.forward([torch.cat(images)], [torch.ones(2, dtype=torch.bool)], tok, msk, torch.stack(states_in),
                             torch.stack(actions), torch.stack(noise), torch.tensor(TIMES, dtype=torch.float32))
    batch, RECORD = RECORD, None
    worst = 0.0
    n_img = per_sample[0]["vision.0"].shape[1]
    for name in states:
        for s in range(2):
            ref = per_sample[s][name][0]
            got = batch[name][s]
            if name.startswith("vlm."):
                got = got[:n_img + TOKEN_LENGTHS[s]]
            worst = max(worst, rel(got, ref))
    print("  (d) padded batch vs per-sample runs: max rel diff %.2e over all layers; batch positions of sample 0 "
          "around its pad: %s" % (worst, batch["positions"][0].tolist()[n_img + 18:n_img + 28]))
    # (e) reload with LeRobot's loader into a fresh policy.
    torch.manual_seed(123)
    fresh = make_policy(m, PI0Config, FeatureType, PolicyFeature)
    missing, unexpected = load_model(fresh, os.path.join(OUT, "model.safetensors"), strict=True)
    print("  (e) safetensors.load_model(strict=True): missing %s, unexpected %s" % (sorted(missing),
                                                                                    sorted(unexpected)))
    raw = load_file(os.path.join(OUT, "model.safetensors"))
    r = fresh.load_state_dict(raw, strict=False)
    print("      plain load_state_dict of the file: missing %s (tied to lm_head), unexpected %s" % (
        r.missing_keys, r.unexpected_keys))
    fresh_vision = hook_vision(fresh)
    again = [run_one(fresh, images[s], tokens[s], states_in[s], noise[s], actions[s], TIMES[s]) for s in range(2)]
    same = all(torch.equal(torch.cat([layer_states(x, fresh_vision, depth)[k] for x in again]), states[k])
               for k in states)
    print("      fresh policy reproduces every saved state exactly: %s" % same)
    print("      file dtypes: %s, tensors %d" % (sorted({str(v.dtype) for v in raw.values()}), len(raw)))
    assert not missing and not unexpected and same
    # (f) the recorded mask, positions and suffix against the formulas Plateau's Java forward uses.
    print("  (f) Plateau's formulas against the recorded upstream values:")
    mp = policy.model
    for s, rec in enumerate(per_sample):
        lp, ls = rec["vlm.-1"].shape[1], rec["expert.-1"].shape[1]
        allowed = rec["mask"][0, 0] == 0
        assert torch.all((rec["mask"][0, 0] == 0) | (rec["mask"][0, 0] == m.OPENPI_ATTENTION_MASK_VALUE))
        ours_t = plateau_time_embedding(TIMES[s], mp.action_in_proj.out_features, policy.config.min_period,
                                        policy.config.max_period)
        with torch.no_grad():
            t32 = torch.tensor(TIMES[s], dtype=torch.float32)  # ActionSuffix: float t, (1 - t) in float
            x_t = t32 * noise[s] + (1 - t32) * actions[s]
            tok_actions = mp.action_time_mlp_out(torch.nn.functional.silu(mp.action_time_mlp_in(
                torch.cat([mp.action_in_proj(x_t), ours_t.expand(CHUNK, -1)], dim=1))))
            suffix = torch.cat([mp.state_proj(states_in[s])[None], tok_actions])
        print("      sample %d: mask == levels(0 prefix, 1 state, 2 actions) %s; positions 0..%d %s; time_emb max "
              "abs diff %.2e; expert.-1 rel diff %.2e (state row %.2e)" % (
                  s, torch.equal(allowed, plateau_mask(lp, ls)), lp + ls - 1,
                  torch.equal(rec["positions"][0], torch.arange(lp + ls)),
                  (ours_t - rec["time_emb"]).abs().max().item(), rel(suffix, rec["expert.-1"][0]),
                  rel(suffix[:1], rec["expert.-1"][0, :1])))

    print("\nwritten to %s:" % os.path.abspath(OUT))
    for f in sorted(os.listdir(OUT)):
        print("  %-28s %d bytes" % (f, os.path.getsize(os.path.join(OUT, f))))


if __name__ == "__main__":
    main()
