"""pi0.5 parity fixture, made with the ORIGINAL LeRobot pi0.5 code (training forward, float32, CPU).

Reference code (unmodified upstream files, unpacked by ../shared/realref/setup.sh):
  - LeRobot cbc8bfb2, src/lerobot/policies/pi05/modeling_pi05.py (PI05Policy, PI05Pytorch, PaliGemmaWithExpertModel,
    compute_layer_complete, create_sinusoidal_pos_embedding, make_att_2d_masks) and configuration_pi05.py (PI05Config);
    src/lerobot/utils/constants.py (OPENPI_ATTENTION_MASK_VALUE = -2.3819763e38).
  - transformers v4.53 cut 0a8081b0 with openpi's `transformers_replace` files (what LeRobot's `pi` extra installs):
    models/gemma/modeling_gemma.py (GemmaRMSNorm with adaRMS `dense`, _gated_residual, eager_attention_forward, rotary),
    models/paligemma/modeling_paligemma.py (get_image_features WITHOUT HF's / sqrt(hidden) of the image features),
    models/siglip/modeling_siglip.py.
  - torch 1.13.1 (Debian), eager attention everywhere.

Rerun (no network; writes src/test/resources/parity/pi05/):
    . /tmp/realref/env-pi.sh && "$PY" parity/make_pi05_fixture.py [OUTPUT_DIR]
On a fresh machine the environment comes from:  bash /work/shared/realref/setup.sh /tmp/realref

What runs: PI05Policy(PI05Config(...)).model.forward(images, img_masks, tokens, masks, actions, noise, time), i.e.
LeRobot's own training forward: prefix = [SigLIP + projector image tokens (not scaled), embed_tokens(prompt) x
sqrt(width)], suffix = action_in_proj(x_t), x_t = t*noise + (1-t)*actions, adaRMS condition
c = silu(time_mlp_out(silu(time_mlp_in(sinusoidal(t))))), 4 joint layers (compute_layer_complete), final norms,
action_out_proj, per-element MSE against u = noise - actions. Each sample runs as its own batch of 1 (no padding);
the 2-sample right-padded batch is run too and checked against the per-sample states (see the self-checks).

Non-math glue (the realref LeRobot cut holds only lerobot/policies and lerobot/utils/constants.py):
  - stub modules, installed in sys.modules before the import: lerobot.utils.import_utils (_transformers_available =
    True), lerobot.configs.policies.PreTrainedConfig (a dataclass with n_obs_steps, input_features, output_features,
    device, use_amp; register_subclass is a no-op decorator; device None -> "cpu"), lerobot.configs.types
    (FeatureType, NormalizationMode, PolicyFeature, as upstream's enums), lerobot.optim.{optimizers,schedulers}
    (placeholder config dataclasses), lerobot.policies.rtc.{configuration_rtc,modeling_rtc} (placeholders; rtc_config
    is None so RTC never runs), lerobot.policies.pretrained (PreTrainedPolicy = nn.Module keeping .config, T), and the
    package lerobot.policies.pi05 itself (so its __init__, which imports processor_pi05 and its pipeline deps, is
    skipped; modeling_pi05.py and configuration_pi05.py are imported from the upstream files).
  - transformers.models.siglip.check.check_whether_transformers_replace_is_installed_correctly -> True (it compares
    transformers.__version__ with "4.53.2"; the realref cut is 4.53.0.dev0 with the same replace files).
  - the vision tower's config gets _attn_implementation = "eager" (torch 1.13 has no SDPA; the joint layers call
    eager_attention_forward directly anyway).
  - recording only: modeling_pi05.compute_layer_complete is wrapped to copy its inputs (layer 0) and outputs; forward
    hooks on SigLIP's embeddings and encoder layers. Neither changes any value.

PATCHES to upstream sizes (the model is tiny; every patch is a size, none changes the math):
  1. modeling_pi05.get_gemma_config (modeling_pi05.py:304-325 hard-codes gemma_2b / gemma_300m): replaced by
     "gemma_2b" -> width 64, depth 4, mlp_dim 128, 8 heads, 1 kv head, head_dim 256;
     "gemma_300m" -> width 32, depth 4, mlp_dim 64, 8 heads, 1 kv head, head_dim 256.
     8 heads x 256 are kept because compute_layer_complete hard-codes `1 * 8 * head_dim` in its reshape
     (modeling_pi05.py:267) and Plateau's PaliGemmaPrefix hard-codes HEAD_DIM 256.
  2. PaliGemmaWithExpertModel.__init__ (modeling_pi05.py:348-381), source-patched by exact string replacement
     (each asserted to match once, see PATCHES below; the patched class is exec'd into the module):
     - vocab 257152 -> 512 (vlm_config_hf._vocab_size, image_token_index, text_config.vocab_size, expert vocab_size);
     - vision_config.intermediate_size 4304 -> 288; vision_config.projection_dim 2048 -> vlm_config.width (64);
     - added: vision_config.hidden_size 144, num_hidden_layers 2, num_attention_heads 2 (head 72, as SigLIP-so400m's
       1152/16), replacing PaliGemmaConfig's defaults 1152 / 27 / 16. patch 14, image 56 -> 16 patches per image.
  Config: chunk_size 50, max_action_dim 32, image_resolution (56, 56), dtype float32 (upstream's default).

WEIGHTS, drawn like make_fixtures.py's realistic() (seed 0, in named_parameters order): embed_tokens and SigLIP's
position_embedding N(0, 1); SigLIP LayerNorm weights 1 + 0.1 N(0, 1); Gemma RMSNorm weights (used as 1 + w)
0.1 N(0, 1); other 1-D tensors (biases) 0.02 N(0, 1); every other matrix (incl. the patch-embedding kernel, the
projector, action_in/out_proj, time_mlp_in/out and the adaRMS `dense` layers, which upstream zero-initialises)
N(0, 1/fan_in). The PaliGemma lm_head is tied to embed_tokens (one tensor).

FILES written to src/test/resources/parity/pi05/:
  - model.safetensors: saved exactly as LeRobot saves a policy (safetensors.torch.save_model(policy), float32), so the
    names carry the `model.` prefix and this transformers' layout: model.paligemma_with_expert.paligemma.model.
    {vision_tower.vision_model.*, multi_modal_projector.linear.*, language_model.*},
    model.paligemma_with_expert.gemma_expert.{model.layers.*, model.norm.dense.*, lm_head.weight},
    model.{action_in_proj, action_out_proj, time_mlp_in, time_mlp_out}.*. save_model drops one name of each tied
    pair: embed_tokens.weight is NOT in the file, the language embedding is `...paligemma.lm_head.weight` (same tensor).
  - config.json: the PI05Config as LeRobot writes it (dataclass fields, "type": "pi05"), with image_resolution [56, 56]
    and one camera feature observation.images.base_0_rgb [3, 56, 56].
  - inputs.json: {"tokens": [[20 ids], [24 ids]], "time": [0.3, 0.8], "cameras": [1, 1], "arrays": ...}; ids in
    [1, 512), no padding. inputs.safetensors: images.<s> [1, 3, 56, 56] (already-preprocessed pixels in [-1, 1]),
    noise.<s> [50, 32], actions.<s> [50, 32] (float32).
  - hidden_states.safetensors: rows of sample 0 then sample 1, float32:
      vision.-1 (SigLIP embeddings: patches + positions), vision.<l> (encoder layer l, before post_layernorm) [32, 144];
      vlm.-1 (prefix fed to joint layer 0: 16 image tokens after the projector, then the prompt x sqrt(64)),
      vlm.<l> (prefix stream after joint layer l, before the final norm) [16+20 + 16+24 = 76, 64];
      expert.-1 (action_in_proj(x_t)), expert.<l> (suffix stream after joint layer l, before the final norm) [100, 32].
  - extras.safetensors (debugging aids, not layer states): time_emb.<s> [1, 32] (the sinusoidal embedding after its
    float32 cast), cond.<s> [1, 32] (adaRMS condition c), v_t.<s> [50, 32], loss.<s> [50, 32].

SELF-CHECKS (printed): (a) same x_t, different t -> VLM states bit-identical (prefix never sees the suffix), expert
states move (adaRMS active); (b) different t with the same noise/actions; (c) the right-padded 2-sample batch equals the
per-sample runs; (d) the saved file reloads into a fresh policy with LeRobot's loader (safetensors load_model, strict):
missing/unexpected both empty, and the fresh policy reproduces the saved states exactly.
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
                                                          "test", "resources", "parity", "pi05")

VOCAB = 512
VLM = dict(width=64, depth=4, mlp_dim=128, num_heads=8, num_kv_heads=1, head_dim=256)
EXPERT = dict(width=32, depth=4, mlp_dim=64, num_heads=8, num_kv_heads=1, head_dim=256)
VISION = dict(hidden_size=144, num_hidden_layers=2, num_attention_heads=2, intermediate_size=288)
IMAGE = 56
CHUNK = 50
ACTION_DIM = 32
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
    # The pi05 package without its __init__ (which pulls in processor_pi05 and LeRobot's processor pipeline).
    pkg = module("lerobot.policies.pi05")
    pkg.__path__ = [os.path.join(src, "policies", "pi05")]
    return FeatureType, NormalizationMode, PolicyFeature


# ---------------------------------------------------------------------------------------------------------------------
# Visible size patches.
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
            RECORD["cond"] = adarms_cond[1].detach().clone()
        out = original(layer_idx, inputs_embeds, attention_mask, position_ids, adarms_cond,
                       paligemma=paligemma, gemma_expert=gemma_expert)
        if RECORD is not None:
            RECORD["vlm.%d" % layer_idx] = out[0].detach().clone()
            RECORD["expert.%d" % layer_idx] = out[1].detach().clone()
        return out

    m.compute_layer_complete = recording
    original_suffix = m.PI05Pytorch.embed_suffix

    def embed_suffix(self, noisy_actions, timestep):
        if RECORD is not None:
            RECORD["time_emb"] = m.create_sinusoidal_pos_embedding(
                timestep, self.action_in_proj.out_features, min_period=self.config.min_period,
                max_period=self.config.max_period, device=timestep.device).type(dtype=timestep.dtype)
        return original_suffix(self, noisy_actions, timestep)

    m.PI05Pytorch.embed_suffix = embed_suffix


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


def make_policy(m, PI05Config, FeatureType, PolicyFeature):
    config = PI05Config(device="cpu", dtype="float32", chunk_size=CHUNK, n_action_steps=CHUNK,
                        max_state_dim=32, max_action_dim=ACTION_DIM, image_resolution=(IMAGE, IMAGE),
                        input_features={"observation.images.base_0_rgb":
                                        PolicyFeature(type=FeatureType.VISUAL, shape=(3, IMAGE, IMAGE))})
    policy = m.PI05Policy(config).float().eval()
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
    return tokens, images, noise, actions


def run_one(policy, image, tokens, noise, actions, t):
    """LeRobot's training forward for one sample (batch 1); returns the recorded states and the loss."""
    global RECORD
    RECORD = {}
    with torch.no_grad():
        loss = policy.model.forward([image], [torch.ones(1, dtype=torch.bool)], tokens[None],
                                    torch.ones(1, tokens.numel(), dtype=torch.bool), actions[None], noise[None],
                                    torch.tensor([t], dtype=torch.float32))
    rec, RECORD = RECORD, None
    rec["loss"] = loss[0]
    return rec


def layer_states(rec, n_vision, depth):
    names = ["vision.%d" % i for i in range(-1, n_vision)] + ["vlm.%d" % i for i in range(-1, depth)] + \
            ["expert.%d" % i for i in range(-1, depth)]
    return {n: rec[n][0] for n in names}


def rel(a, b):
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


def main():
    FeatureType, NormalizationMode, PolicyFeature = install_lerobot_stubs()
    from safetensors.torch import load_file, load_model, save_file, save_model
    from lerobot.policies.pi05 import modeling_pi05 as m
    from lerobot.policies.pi05.configuration_pi05 import PI05Config
    patch_upstream(m)
    install_recorder(m)

    torch.manual_seed(0)
    policy = make_policy(m, PI05Config, FeatureType, PolicyFeature)
    realistic(policy)
    n_vision = hook_vision(policy)
    depth = policy.model.paligemma_with_expert.paligemma.config.text_config.num_hidden_layers
    pg = policy.model.paligemma_with_expert.paligemma
    print("lm_head tied to embed_tokens:", pg.lm_head.weight is pg.model.language_model.embed_tokens.weight)

    tokens, images, noise, actions = inputs()
    per_sample = []
    for s in range(2):
        rec = run_one(policy, images[s], tokens[s], noise[s], actions[s], TIMES[s])
        n = rec["positions"].shape[1]
        assert torch.equal(rec["positions"][0], torch.arange(n)), "positions are not 0..N-1"
        per_sample.append(rec)

    states = {}
    for name in layer_states(per_sample[0], n_vision, depth):
        states[name] = torch.cat([layer_states(r, n_vision, depth)[name] for r in per_sample]).contiguous().float()

    os.makedirs(OUT, exist_ok=True)
    save_file(states, os.path.join(OUT, "hidden_states.safetensors"), metadata={"format": "pt"})
    extras = {}
    for s, r in enumerate(per_sample):
        extras["time_emb.%d" % s] = r["time_emb"].contiguous().float()
        extras["cond.%d" % s] = r["cond"].contiguous().float()
        extras["v_t.%d" % s] = r["v_t"][0].contiguous().float()
        extras["loss.%d" % s] = r["loss"].contiguous().float()
    save_file(extras, os.path.join(OUT, "extras.safetensors"), metadata={"format": "pt"})
    arrays = {}
    for s in range(2):
        arrays["images.%d" % s] = images[s].contiguous()
        arrays["noise.%d" % s] = noise[s].contiguous()
        arrays["actions.%d" % s] = actions[s].contiguous()
    save_file(arrays, os.path.join(OUT, "inputs.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(OUT, "inputs.json"), "w") as f:
        json.dump({"tokens": [t.tolist() for t in tokens], "time": TIMES, "cameras": [1, 1],
                   "arrays": "inputs.safetensors: images.<s> [1,3,56,56] pixels in [-1,1]; noise.<s>, actions.<s> "
                             "[50,32]; x_t = t*noise + (1-t)*actions"}, f)
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

    config = {"type": "pi05"}
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
        print("  sample %d: t=%.2f  |cond| max %.4g  loss mean %.6g  prefix %d tokens, suffix %d" % (
            s, TIMES[s], r["cond"].abs().max().item(), r["loss"].mean().item(), r["vlm.-1"].shape[1],
            r["expert.-1"].shape[1]))

    # ---- self-checks ----
    print("\nself-checks:")
    # (a) same x_t, different t: only the adaRMS conditioning differs.
    t0, t1 = TIMES[0], 0.8
    x_t = t0 * noise[0] + (1 - t0) * actions[0]
    actions_alt = (x_t - t1 * noise[0]) / (1 - t1)
    a = run_one(policy, images[0], tokens[0], noise[0], actions[0], t0)
    b = run_one(policy, images[0], tokens[0], noise[0], actions_alt, t1)
    print("  (a) same x_t, t %.1f vs %.1f: expert.-1 rel diff %.2e (rounding only)" % (
        t0, t1, rel(b["expert.-1"], a["expert.-1"])))
    print("      vlm states identical: %s (max abs diff %.3g)" % (
        all(torch.equal(a["vlm.%d" % i], b["vlm.%d" % i]) for i in range(-1, depth)),
        max((a["vlm.%d" % i] - b["vlm.%d" % i]).abs().max().item() for i in range(-1, depth))))
    for i in range(depth):
        print("      expert.%d rel diff %.4f" % (i, rel(b["expert.%d" % i], a["expert.%d" % i])))
    # (b) same noise/actions, t 0.3 vs 0.8.
    c = run_one(policy, images[0], tokens[0], noise[0], actions[0], 0.8)
    print("  (b) same noise/actions, t 0.3 vs 0.8: " + ", ".join(
        "expert.%d %.4f" % (i, rel(c["expert.%d" % i], a["expert.%d" % i])) for i in range(-1, depth)))
    # (c) the 2-sample batch, prompts right-padded to 24 with pad mask 0.
    global RECORD
    L = max(TOKEN_LENGTHS)
    tok = torch.zeros(2, L, dtype=torch.long)
    msk = torch.zeros(2, L, dtype=torch.bool)
    for s in range(2):
        tok[s, :TOKEN_LENGTHS[s]] = tokens[s]
        msk[s, :TOKEN_LENGTHS[s]] = True
    RECORD = {}
    with torch.no_grad():
        policy.model.forward([torch.cat(images)], [torch.ones(2, dtype=torch.bool)], tok, msk,
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
    print("  (c) padded batch vs per-sample runs: max rel diff %.2e over all layers; batch positions of sample 0: "
          "%s" % (worst, batch["positions"][0].tolist()[n_img + 18:n_img + 28]))
    # (d) reload with LeRobot's loader into a fresh policy.
    torch.manual_seed(123)
    fresh = make_policy(m, PI05Config, FeatureType, PolicyFeature)
    missing, unexpected = load_model(fresh, os.path.join(OUT, "model.safetensors"), strict=True)
    print("  (d) safetensors.load_model(strict=True): missing %s, unexpected %s" % (sorted(missing),
                                                                                    sorted(unexpected)))
    raw = load_file(os.path.join(OUT, "model.safetensors"))
    r = fresh.load_state_dict(raw, strict=False)
    print("      plain load_state_dict of the file: missing %s (tied to lm_head), unexpected %s" % (
        r.missing_keys, r.unexpected_keys))
    fresh_vision = hook_vision(fresh)
    again = [run_one(fresh, images[s], tokens[s], noise[s], actions[s], TIMES[s]) for s in range(2)]
    same = all(torch.equal(torch.cat([layer_states(x, fresh_vision, depth)[k] for x in again]), states[k])
               for k in states)
    print("      fresh policy reproduces every saved state exactly: %s" % same)
    print("      file dtypes: %s, tensors %d" % (sorted({str(v.dtype) for v in raw.values()}), len(raw)))
    assert not missing and not unexpected and same

    print("\nwritten to %s:" % os.path.abspath(OUT))
    for f in sorted(os.listdir(OUT)):
        print("  %-28s %d bytes" % (f, os.path.getsize(os.path.join(OUT, f))))


if __name__ == "__main__":
    main()
