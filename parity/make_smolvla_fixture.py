"""SmolVLA parity fixture, made with the ORIGINAL LeRobot SmolVLA code (training forward, float32, CPU).

Reference code (unmodified upstream files, unpacked by ../shared/realref/setup.sh):
  - LeRobot 7427f318, src/lerobot/policies/smolvla/modeling_smolvla.py (SmolVLAPolicy, VLAFlowMatching: embed_prefix,
    embed_suffix, forward), smolvlm_with_expert.py (SmolVLMWithExpertModel: apply_rope, get_intermediate_size,
    forward_attn_layer, forward_cross_attn_layer, get_model_layers, forward, eager_attention_forward),
    configuration_smolvla.py (SmolVLAConfig); src/lerobot/policies/common/vla_utils.py (create_sinusoidal_pos_embedding,
    make_att_2d_masks, pad_vector) and common/flow_matching.py; src/lerobot/utils/constants.py.
  - transformers v4.51 cut d1b92369: models/smolvlm (SmolVLMConfig, SmolVLMVisionConfig,
    SmolVLMForConditionalGeneration: vision_model = SmolVLMVisionTransformer, connector = pixel shuffle + proj),
    models/llama (LlamaConfig, LlamaModel for text_model and lm_expert). LeRobot 7427f318 pins transformers 5.x; the
    modules SmolVLA uses (SmolVLM vision tower and connector, Llama's norms/projections/MLP; SmolVLA re-implements the
    attention and rotary itself) compute the same in 4.51 (../shared/reference/forward-smolvla.md, TF citations).
  - torch 1.13.1 (Debian), eager attention everywhere.

Rerun (no network; writes src/test/resources/parity/smolvla/):
    . /tmp/realref/env-base.sh && "$PY" parity/make_smolvla_fixture.py [OUTPUT_DIR]
On a fresh machine the environment comes from:  bash /work/shared/realref/setup.sh /tmp/realref

What runs: SmolVLAPolicy(SmolVLAConfig(...)).model.forward(images, img_masks, lang_tokens, lang_masks, state, actions,
noise, time), i.e. LeRobot's own training forward (VLAFlowMatching.forward): prefix = [connector(SigLIP tower) x
sqrt(width) per camera, embed_tokens(prompt) x sqrt(width), state_proj(state)], suffix = action_time_mlp_out(silu(
action_time_mlp_in([action_in_proj(x_t), sinusoidal(t)]))), x_t = t*noise + (1-t)*actions; 4 VLM text layers with 4
expert layers (even index: joint attention over prefix+suffix; odd: the VLM attends to itself and the expert
cross-attends to k_proj_e/v_proj_e of the VLM's keys (after rotary) and values), final norms, action_out_proj,
per-element MSE against u = noise - actions. Each sample runs as its own batch of 1 (no padding); the 2-sample batch
with the prompts right-padded is run too and checked against the per-sample states (see the self-checks).

The VLM (no network): SmolVLMWithExpertModel builds the VLM from the hub name `vlm_model_name`
(smolvlm_with_expert.py:99 AutoConfig.from_pretrained(model_id) with load_vlm_weights False, then :100
SmolVLMForConditionalGeneration(config); :101 AutoProcessor.from_pretrained(model_id)). The fixture keeps upstream's
default name "HuggingFaceTB/SmolVLM2-500M-Video-Instruct" in the config and, in smolvlm_with_expert's namespace only:
  - AutoConfig -> a stand-in whose from_pretrained(that exact name) returns the LOCAL tiny SmolVLMConfig below (a
    fresh deep copy per call; any other name raises), so lines 99-118 (config, cut to num_vlm_layers, expert config
    derived from config.text_config) run unmodified on it;
  - AutoProcessor -> a stand-in whose .tokenizer carries fake_image_token_id / global_image_token_id (read at
    modeling_smolvla.py:522-523, used only when add_image_special_tokens is True, which it is not here).
  AutoModel (the expert, smolvlm_with_expert.py:118) and SmolVLMForConditionalGeneration are the real classes.

Tiny SmolVLM config (SmolVLM2-500M's structure, smaller): vision hidden 128, 2 layers, 2 heads of 64, MLP 256,
gelu_pytorch_tanh, layer_norm_eps 1e-6, image 128, patch 16 (8x8 = 64 patches); scale_factor 4 (as SmolVLM2: 4 image
tokens per camera after the pixel shuffle, connector 2048 -> 128, no bias); text: llama, hidden 128, 6 layers (cut to
num_vlm_layers = 4 by upstream, smolvlm_with_expert.py:102-104), 2 heads of 64, 1 KV head, MLP 320, rms_norm_eps 1e-5
(SmolVLM2's value), rope_theta 100000 (SmolVLM2's; SmolVLA ignores it, its apply_rope uses 10000), vocab 512,
tie_word_embeddings False (so vlm.lm_head is its own, unused tensor, as in smolvla_base). Expert (derived by upstream):
hidden int(128 * 0.75) = 96, intermediate get_intermediate_size(96) = 256, 4 layers (num_expert_layers 4), heads and
head_dim inherited (2 x 64, 1 KV head); odd expert layers get k_proj/v_proj Linear(64 -> 64) (VLM kv width).

Non-math glue (the realref LeRobot cut holds only lerobot/policies/{smolvla,common,...} and lerobot/utils/constants.py):
  - stub modules installed in sys.modules before the import: lerobot.utils.import_utils (_transformers_available =
    True, require_package no-op), lerobot.utils.device_utils (get_safe_dtype as upstream: float64 -> float32 only on
    mps/xpu, so float64 on CPU), lerobot.configs (PreTrainedConfig dataclass with n_obs_steps, input_features,
    output_features, device, use_amp, image_features/action_feature properties, register_subclass no-op; FeatureType,
    NormalizationMode, PolicyFeature as upstream's enums), lerobot.optim (placeholder config dataclasses),
    lerobot.policies.rtc.{configuration_rtc,modeling_rtc} (placeholders; rtc_config None so RTC never runs),
    lerobot.policies.pretrained (PreTrainedPolicy = nn.Module keeping .config), lerobot.policies.utils
    (populate_queues, inference only), and the package lerobot.policies.smolvla itself (so its __init__, which imports
    processor_smolvla and LeRobot's processor pipeline, is skipped; the modeling files are imported from upstream).
  - the vision tower's config gets _attn_implementation = "eager" (torch 1.13 has no SDPA; the text/expert layers use
    SmolVLA's own eager_attention_forward anyway).
  - recording only: forward pre-hooks on every text/expert layer's input_layernorm and on the two final norms (their
    INPUT is the stream entering that layer, i.e. the previous layer's output), forward hooks on the vision
    embeddings and encoder layers, the connector and action_out_proj; SmolVLMWithExpertModel.forward wrapped to copy its
    attention_mask and position_ids. None changes any value.

PATCHES to upstream: none to the math or sizes. Sizes come from the tiny SmolVLM config above and SmolVLAConfig fields
(num_vlm_layers 4, num_expert_layers 4, self_attn_every_n_layers 2, expert_width_multiplier 0.75,
resize_imgs_with_padding (128, 128), load_vlm_weights False, attention_mode "cross_attn").

WEIGHTS, drawn like make_fixtures.py's realistic() (seed 0, in named_parameters order): embed_tokens and the vision
position_embedding N(0, 1); every norm weight (LayerNorm and Llama RMSNorm, both used as w) 1 + 0.1 N(0, 1); other
1-D tensors (biases) 0.02 N(0, 1); every other matrix (incl. the patch-embedding kernel, the connector, lm_head,
state_proj, action_in/out_proj, action_time_mlp_in/out, the cross layers' k/v) N(0, 1/fan_in).

FILES written to src/test/resources/parity/smolvla/:
  - model.safetensors: saved as LeRobot saves a policy (safetensors.torch.save_model(policy), float32), names under
    model.vlm_with_expert.vlm.{model.vision_model.*, model.connector.modality_projection.proj.weight,
    model.text_model.{embed_tokens, layers.0-3, norm}, lm_head.weight}, model.vlm_with_expert.lm_expert.{layers.0-3,
    norm}, model.{state_proj, action_in_proj, action_out_proj, action_time_mlp_in, action_time_mlp_out}.*.
  - config.json: the SmolVLAConfig as LeRobot writes it (dataclass fields, "type": "smolvla"), one camera
    observation.images.camera1 [3, 128, 128], observation.state [6], action [6].
  - inputs.json: {"tokens": [[20 ids], [24 ids]], "time": [0.3, 0.8], "cameras": [1, 1], ...}; ids in [1, 512).
    inputs.safetensors: images.<s> [1, 3, 128, 128] (preprocessed pixels in [-1, 1] at the model's size:
    resize_with_pad is the identity there), state.<s> [32] (6 real dims, then zeros, as pad_vector gives),
    noise.<s> [50, 32], actions.<s> [50, 32] (6 real dims, then zeros) (float32).
  - hidden_states.safetensors: rows of sample 0 then sample 1, float32:
      vision.-1 (SigLIP embeddings: patches + positions), vision.<l> (encoder layer l, before post_layernorm) [128, 128];
      vlm.-1 (prefix fed to layer 0: 4 image tokens = connector(post_layernorm(tower)) x sqrt(128), the prompt's
      embeddings x sqrt(128), the state token state_proj(state)), vlm.<l> (prefix stream after text layer l, before
      the final norm) [4+20+1 + 4+24+1 = 54, 128];
      expert.-1 (suffix embeddings, the time MLP's output), expert.<l> (suffix after expert layer l, before the final
      norm) [100, 96].
  - extras.safetensors (debugging aids, not layer states): image_tokens.<s> [4, 128] (connector output, before the
    sqrt(width) scale), time_emb.<s> [1, 96] (sinusoidal embedding after its float32 cast), v_t.<s> [50, 32],
    loss.<s> [50, 32].

SELF-CHECKS (printed): (a) same x_t, different t -> VLM states bit-identical, expert states move; (b) different t with
the same noise/actions; (c) the right-padded 2-sample batch equals the per-sample runs on every non-padding row;
(d) the saved file reloads into a fresh policy with LeRobot's loader (safetensors load_model, strict): missing and
unexpected both empty, and the fresh policy reproduces the saved states exactly; (e) a line-by-line torch transcription
of Plateau's SmolVlaForward.java (not upstream) run on the saved weights and inputs, compared to the upstream states
layer by layer: a discrepancy between Plateau's math and LeRobot's shows here before the Java test runs.
"""
import copy
import dataclasses
import enum
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
                                                          "test", "resources", "parity", "smolvla")

VLM_NAME = "HuggingFaceTB/SmolVLM2-500M-Video-Instruct"  # upstream default; resolved locally, see tiny_smolvlm_config
VOCAB = 512
VISION = dict(hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=2, image_size=128,
              patch_size=16, hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6)
TEXT = dict(model_type="llama", vocab_size=VOCAB, hidden_size=128, intermediate_size=320, num_hidden_layers=6,
            num_attention_heads=2, num_key_value_heads=1, head_dim=64, hidden_act="silu", rms_norm_eps=1e-5,
            rope_theta=100000.0, max_position_embeddings=8192, attention_bias=False, mlp_bias=False,
            tie_word_embeddings=False, pad_token_id=2)
SCALE_FACTOR = 4
NUM_VLM_LAYERS = 4
NUM_EXPERT_LAYERS = 4
EVERY = 2
IMAGE = VISION["image_size"]
CHUNK = 50
MAX_DIM = 32
REAL_DIM = 6
TOKEN_LENGTHS = [20, 24]
TIMES = [0.3, 0.8]
CAMERA = "observation.images.camera1"


def tiny_smolvlm_config():
    from transformers import SmolVLMConfig
    return SmolVLMConfig(vision_config=dict(VISION), text_config=dict(TEXT), scale_factor=SCALE_FACTOR,
                         image_token_id=VOCAB - 1, tie_word_embeddings=False, pad_token_id=2)


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
    module("lerobot.utils.import_utils", _transformers_available=True, require_package=lambda *a, **k: None)

    def get_safe_dtype(dtype, device):  # lerobot.utils.device_utils.get_safe_dtype
        if isinstance(device, torch.device):
            device = device.type
        if device in ("mps", "xpu") and dtype == torch.float64:
            return torch.float32
        return dtype

    module("lerobot.utils.device_utils", get_safe_dtype=get_safe_dtype)

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

        @property
        def action_feature(self):
            return next(f for f in self.output_features.values() if f.type is FeatureType.ACTION)

    module("lerobot.configs", FeatureType=FeatureType, NormalizationMode=NormalizationMode,
           PolicyFeature=PolicyFeature, PreTrainedConfig=PreTrainedConfig)

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

    module("lerobot.optim", AdamWConfig=AdamWConfig,
           CosineDecayWithWarmupSchedulerConfig=CosineDecayWithWarmupSchedulerConfig)

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

    def populate_queues(*a, **k):
        raise RuntimeError("inference queues are not used by this fixture")

    module("lerobot.policies.utils", populate_queues=populate_queues)
    # The smolvla package without its __init__ (which pulls in processor_smolvla and LeRobot's processor pipeline).
    pkg = module("lerobot.policies.smolvla")
    pkg.__path__ = [os.path.join(src, "policies", "smolvla")]
    return FeatureType, NormalizationMode, PolicyFeature


def resolve_vlm_locally(x):
    """The hub name resolves to the local tiny SmolVLM config; the processor to a token-id holder (see header)."""
    tiny = tiny_smolvlm_config()

    class LocalAutoConfig:
        @staticmethod
        def from_pretrained(name, *a, **k):
            if name != VLM_NAME:
                raise ValueError("fixture resolves only %s locally, not %r" % (VLM_NAME, name))
            return copy.deepcopy(tiny)

    class LocalAutoProcessor:
        @staticmethod
        def from_pretrained(name, *a, **k):
            if name != VLM_NAME:
                raise ValueError("fixture resolves only %s locally, not %r" % (VLM_NAME, name))
            return types.SimpleNamespace(tokenizer=types.SimpleNamespace(fake_image_token_id=VOCAB - 3,
                                                                         global_image_token_id=VOCAB - 2))

    x.AutoConfig = LocalAutoConfig
    x.AutoProcessor = LocalAutoProcessor
    return tiny


# ---------------------------------------------------------------------------------------------------------------------
# Recording (hooks only).
# ---------------------------------------------------------------------------------------------------------------------
RECORD = None


def install_recorder(x):
    original = x.SmolVLMWithExpertModel.forward

    def forward(self, attention_mask=None, position_ids=None, past_key_values=None, inputs_embeds=None,
                use_cache=None):
        if RECORD is not None:
            RECORD["mask"] = attention_mask.detach().clone()
            RECORD["positions"] = position_ids.detach().clone()
        return original(self, attention_mask=attention_mask, position_ids=position_ids,
                        past_key_values=past_key_values, inputs_embeds=inputs_embeds, use_cache=use_cache)

    x.SmolVLMWithExpertModel.forward = forward


def hook_policy(policy):
    vwe = policy.model.vlm_with_expert
    vlm = vwe.vlm.model
    vision = vlm.vision_model

    def out_hook(name):
        def fn(module, inputs, output):
            if RECORD is not None:
                RECORD[name] = (output[0] if isinstance(output, tuple) else output).detach().clone()
        return fn

    def in_hook(name):
        def fn(module, inputs):
            if RECORD is not None:
                RECORD[name] = inputs[0].detach().clone()
        return fn

    vision.embeddings.register_forward_hook(out_hook("vision.-1"))
    for i, layer in enumerate(vision.encoder.layers):
        layer.register_forward_hook(out_hook("vision.%d" % i))
    vlm.connector.register_forward_hook(out_hook("image_tokens"))
    policy.model.action_out_proj.register_forward_hook(out_hook("v_t"))
    # The stream entering layer l is the input of its input_layernorm; after the last layer, of the final norm.
    for module, model in (("vlm", vlm.text_model), ("expert", vwe.lm_expert)):
        for i, layer in enumerate(model.layers):
            layer.input_layernorm.register_forward_pre_hook(in_hook("%s.%d" % (module, i - 1)))
        model.norm.register_forward_pre_hook(in_hook("%s.%d" % (module, len(model.layers) - 1)))
    return len(vision.encoder.layers), len(vlm.text_model.layers), len(vwe.lm_expert.layers)


def install_time_recorder(m):
    original_suffix = m.VLAFlowMatching.embed_suffix

    def embed_suffix(self, noisy_actions, timestep):
        if RECORD is not None:
            RECORD["time_emb"] = m.create_sinusoidal_pos_embedding(
                timestep, self.vlm_with_expert.expert_hidden_size, self.config.min_period, self.config.max_period,
                device=noisy_actions.device).type(dtype=noisy_actions.dtype)
        return original_suffix(self, noisy_actions, timestep)

    m.VLAFlowMatching.embed_suffix = embed_suffix


def realistic(model):
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("embed_tokens.weight") or name.endswith("position_embedding.weight"):
                p.copy_(torch.randn(p.shape, generator=g))
            elif p.dim() == 1 and "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))  # LayerNorm and Llama RMSNorm: x w
            elif p.dim() == 1:
                p.copy_(0.02 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p[0].numel()))


def make_policy(m, SmolVLAConfig, FeatureType, PolicyFeature):
    config = SmolVLAConfig(
        device="cpu", chunk_size=CHUNK, n_action_steps=CHUNK, max_state_dim=MAX_DIM, max_action_dim=MAX_DIM,
        resize_imgs_with_padding=(IMAGE, IMAGE), vlm_model_name=VLM_NAME, load_vlm_weights=False,
        num_vlm_layers=NUM_VLM_LAYERS, num_expert_layers=NUM_EXPERT_LAYERS, self_attn_every_n_layers=EVERY,
        expert_width_multiplier=0.75, attention_mode="cross_attn", add_image_special_tokens=False,
        input_features={CAMERA: PolicyFeature(type=FeatureType.VISUAL, shape=(3, IMAGE, IMAGE)),
                        "observation.state": PolicyFeature(type=FeatureType.STATE, shape=(REAL_DIM,))},
        output_features={"action": PolicyFeature(type=FeatureType.ACTION, shape=(REAL_DIM,))})
    policy = m.SmolVLAPolicy(config).float().eval()
    vlm = policy.model.vlm_with_expert.vlm
    vlm.config.vision_config._attn_implementation = "eager"
    vlm.model.vision_model.config._attn_implementation = "eager"
    return policy


def inputs():
    g = torch.Generator().manual_seed(1)
    tokens = [torch.randint(1, VOCAB, (n,), generator=g) for n in TOKEN_LENGTHS]
    images = [torch.rand(1, 3, IMAGE, IMAGE, generator=g) * 2 - 1 for _ in TOKEN_LENGTHS]
    states = [torch.rand(REAL_DIM, generator=g) * 2 - 1 for _ in TOKEN_LENGTHS]
    noise = [torch.randn(CHUNK, MAX_DIM, generator=g) for _ in TOKEN_LENGTHS]
    actions = [torch.rand(CHUNK, REAL_DIM, generator=g) * 2 - 1 for _ in TOKEN_LENGTHS]
    return tokens, images, states, noise, actions


def run_one(policy, vu, image, tokens, state, noise, actions, t):
    """LeRobot's training forward for one sample (batch 1); returns the recorded states and the loss."""
    global RECORD
    RECORD = {}
    with torch.no_grad():
        loss = policy.model.forward([image], [torch.ones(1, dtype=torch.bool)], tokens[None],
                                    torch.ones(1, tokens.numel(), dtype=torch.bool),
                                    vu.pad_vector(state[None], MAX_DIM), vu.pad_vector(actions[None], MAX_DIM),
                                    noise[None], torch.tensor([t], dtype=torch.float32))
    rec, RECORD = RECORD, None
    rec["loss"] = loss[0]
    return rec


def names(n_vision, n_vlm, n_expert):
    return ["vision.%d" % i for i in range(-1, n_vision)] + ["vlm.%d" % i for i in range(-1, n_vlm)] + \
           ["expert.%d" % i for i in range(-1, n_expert)]


def rel(a, b):
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


# ---------------------------------------------------------------------------------------------------------------------
# Self-check (e): Plateau's SmolVlaForward.java transcribed into torch (NOT upstream), on the saved file.
# ---------------------------------------------------------------------------------------------------------------------
def plateau_transcription(w, config, image, tokens, state, noise, actions, t):
    """SmolVlaForward.run for one sample, following the Java code statement by statement (float32)."""
    HEAD = 64
    V = "model.vlm_with_expert.vlm.model.vision_model."
    T = "model.vlm_with_expert.vlm.model.text_model."
    E = "model.vlm_with_expert.lm_expert.layers."
    text_width = w[T + "embed_tokens.weight"].shape[1]
    heads = w[T + "layers.0.self_attn.q_proj.weight"].shape[0] // HEAD
    kv_heads = w[T + "layers.0.self_attn.k_proj.weight"].shape[0] // HEAD
    vision_width = w[V + "embeddings.patch_embedding.weight"].shape[0]
    shuffled = w["model.vlm_with_expert.vlm.model.connector.modality_projection.proj.weight"].shape[1]
    scale = int(round(math.sqrt(shuffled / vision_width)))
    every = config["self_attn_every_n_layers"]
    out = {}

    def linear(x, wt, b=None):
        y = x @ wt.t()
        return y if b is None else y + b

    def layer_norm(x, wt, b, eps):
        c = x - x.mean(-1, keepdim=True)
        return c * (c.pow(2).mean(-1, keepdim=True) + eps).pow(-0.5) * wt + b

    def rms(x, wt, eps=1e-5):
        return x * (x.pow(2).mean(-1, keepdim=True) + eps).pow(-0.5) * wt

    def gelu_tanh(x):
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x.pow(3))))

    def silu(x):
        return x * torch.sigmoid(x)

    # SigLipEncoder.embed / Layer.forward / run (post_layernorm), pixelShuffle, connector x sqrt(width)
    kernel = w[V + "embeddings.patch_embedding.weight"]
    p = kernel.shape[2]
    rows = image.shape[2] // p
    patches = image.reshape(1, 3, rows, p, rows, p).permute(0, 2, 4, 1, 3, 5).reshape(1, rows * rows, 3 * p * p)
    h = linear(patches, kernel.reshape(vision_width, -1), w[V + "embeddings.patch_embedding.bias"]) + \
        w[V + "embeddings.position_embedding.weight"]
    out["vision.-1"] = h[0]
    vheads = vision_width // HEAD
    layer = 0
    while (V + "encoder.layers.%d.layer_norm1.weight" % layer) in w:
        P = V + "encoder.layers.%d." % layer
        a = layer_norm(h, w[P + "layer_norm1.weight"], w[P + "layer_norm1.bias"], 1e-6)
        split = lambda y: y.reshape(1, -1, vheads, vision_width // vheads).permute(0, 2, 1, 3)  # noqa: E731
        q = split(linear(a, w[P + "self_attn.q_proj.weight"], w[P + "self_attn.q_proj.bias"]))
        k = split(linear(a, w[P + "self_attn.k_proj.weight"], w[P + "self_attn.k_proj.bias"]))
        v = split(linear(a, w[P + "self_attn.v_proj.weight"], w[P + "self_attn.v_proj.bias"]))
        att = ((q * (1 / math.sqrt(vision_width // vheads))) @ k.transpose(2, 3)).softmax(-1) @ v
        h = h + linear(att.permute(0, 2, 1, 3).reshape(1, -1, vision_width), w[P + "self_attn.out_proj.weight"],
                       w[P + "self_attn.out_proj.bias"])
        b = layer_norm(h, w[P + "layer_norm2.weight"], w[P + "layer_norm2.bias"], 1e-6)
        h = h + linear(gelu_tanh(linear(b, w[P + "mlp.fc1.weight"], w[P + "mlp.fc1.bias"])), w[P + "mlp.fc2.weight"],
                       w[P + "mlp.fc2.bias"])
        out["vision.%d" % layer] = h[0]
        layer += 1
    post = layer_norm(h, w[V + "post_layernorm.weight"], w[V + "post_layernorm.bias"], 1e-6)
    side = int(round(math.sqrt(post.shape[1])))
    sh = post.reshape(1, side, side // scale, vision_width * scale).permute(0, 2, 1, 3) \
        .reshape(1, side // scale, side // scale, vision_width * scale * scale).permute(0, 2, 1, 3) \
        .reshape(1, (side // scale) ** 2, vision_width * scale * scale)
    img = linear(sh, w["model.vlm_with_expert.vlm.model.connector.modality_projection.proj.weight"])[0] * \
        torch.tensor(math.sqrt(text_width), dtype=torch.float32)
    language = w[T + "embed_tokens.weight"][tokens] * torch.tensor(math.sqrt(text_width), dtype=torch.float32)
    st = linear(state[None], w["model.state_proj.weight"], w["model.state_proj.bias"])
    prefix = torch.cat([img, language, st])
    # ActionSuffix.embed (time embedding in float64 from the float t, as Java's float -> double)
    tf = torch.tensor(t, dtype=torch.float32).double()
    width = w["model.action_in_proj.weight"].shape[0]
    half = width // 2
    j = torch.arange(half, dtype=torch.float64)
    period = config["min_period"] * (config["max_period"] / config["min_period"]) ** (j / (half - 1))
    angle = tf * (2 * math.pi / period)
    temb = torch.cat([torch.sin(angle), torch.cos(angle)]).float()[None]
    xt = torch.tensor(t, dtype=torch.float32) * noise + (1 - torch.tensor(t, dtype=torch.float32)) * actions
    emb = linear(xt, w["model.action_in_proj.weight"], w["model.action_in_proj.bias"])
    both = torch.cat([emb, temb.expand(emb.shape[0], width)], 1)
    suffix = linear(silu(linear(both, w["model.action_time_mlp_in.weight"], w["model.action_time_mlp_in.bias"])),
                    w["model.action_time_mlp_out.weight"], w["model.action_time_mlp_out.bias"])
    out["vlm.-1"], out["expert.-1"] = prefix, suffix

    def rotary(n):
        k = torch.arange(HEAD // 2)
        timescale = torch.tensor([float(torch.tensor(10000.0, dtype=torch.float64) ** float(
            torch.tensor(2.0 / HEAD, dtype=torch.float32) * kk)) for kk in k], dtype=torch.float32)
        a = torch.arange(n, dtype=torch.float32)[:, None] / timescale[None]
        c, s = torch.cos(a.double()).float(), torch.sin(a.double()).float()
        return torch.cat([c, c], -1), torch.cat([s, s], -1)

    def rotate(x, tables):
        c, s = tables
        first, second = x[..., :HEAD // 2], x[..., HEAD // 2:]
        return x * c + torch.cat([-second, first], -1) * s

    def joint_mask(lp, chunk):
        flag = torch.zeros(lp + chunk)
        flag[lp - 1] = 1
        flag[lp:] = 2 + torch.arange(chunk)
        return torch.where(flag[None, :] <= flag[:, None], 0.0, -1e30)

    def split_heads(x, n):
        return x.reshape(x.shape[0], n, HEAD).permute(1, 0, 2)

    def attend(q, k, v, mask):
        rep = q.shape[0] // k.shape[0]
        k = k.repeat_interleave(rep, 0)
        v = v.repeat_interleave(rep, 0)
        o = ((q @ k.transpose(1, 2)) * (1 / math.sqrt(HEAD)) + mask).softmax(-1) @ v
        return o.permute(1, 0, 2).reshape(o.shape[1], -1)

    def stream(prefix_name):
        return {n: w[prefix_name + n] for n in ("input_layernorm.weight", "post_attention_layernorm.weight",
                                                "self_attn.q_proj.weight", "self_attn.k_proj.weight",
                                                "self_attn.v_proj.weight", "self_attn.o_proj.weight",
                                                "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight")}

    def finish(s, h, attended):
        r = h + linear(attended, s["self_attn.o_proj.weight"])
        m2 = rms(r, s["post_attention_layernorm.weight"])
        return r + linear(silu(linear(m2, s["mlp.gate_proj.weight"])) * linear(m2, s["mlp.up_proj.weight"]),
                          s["mlp.down_proj.weight"])

    depth = config["num_vlm_layers"]
    for i in range(depth):
        vs, es = stream(T + "layers.%d." % i), stream(E + "%d." % i)
        lp, chunk = prefix.shape[0], suffix.shape[0]
        hv, he = rms(prefix, vs["input_layernorm.weight"]), rms(suffix, es["input_layernorm.weight"])
        if i % every == 0:
            q = torch.cat([split_heads(linear(hv, vs["self_attn.q_proj.weight"]), heads),
                           split_heads(linear(he, es["self_attn.q_proj.weight"]), heads)], 1)
            k = torch.cat([split_heads(linear(hv, vs["self_attn.k_proj.weight"]), kv_heads),
                           split_heads(linear(he, es["self_attn.k_proj.weight"]), kv_heads)], 1)
            v = torch.cat([split_heads(linear(hv, vs["self_attn.v_proj.weight"]), kv_heads),
                           split_heads(linear(he, es["self_attn.v_proj.weight"]), kv_heads)], 1)
            tables = rotary(lp + chunk)
            att = attend(rotate(q, tables), rotate(k, tables), v, joint_mask(lp, chunk))
            prefix, suffix = finish(vs, prefix, att[:lp]), finish(es, suffix, att[lp:])
        else:
            tables = rotary(lp)
            qv = rotate(split_heads(linear(hv, vs["self_attn.q_proj.weight"]), heads), tables)
            kv = rotate(split_heads(linear(hv, vs["self_attn.k_proj.weight"]), kv_heads), tables)
            vv = split_heads(linear(hv, vs["self_attn.v_proj.weight"]), kv_heads)
            vlm_out = finish(vs, prefix, attend(qv, kv, vv, joint_mask(lp, 0)))
            qe = rotate(split_heads(linear(he, es["self_attn.q_proj.weight"]), heads), rotary(chunk))
            flat = lambda x: x.permute(1, 0, 2).reshape(x.shape[1], -1)  # noqa: E731
            ke = split_heads(linear(flat(kv), es["self_attn.k_proj.weight"]), kv_heads)
            ve = split_heads(linear(flat(vv), es["self_attn.v_proj.weight"]), kv_heads)
            prefix, suffix = vlm_out, finish(es, suffix, attend(qe, ke, ve, torch.zeros(chunk, lp)))
        out["vlm.%d" % i], out["expert.%d" % i] = prefix, suffix
    return out


def main():
    FeatureType, NormalizationMode, PolicyFeature = install_lerobot_stubs()
    from safetensors.torch import load_file, load_model, save_file, save_model
    from lerobot.policies.common import vla_utils as vu
    from lerobot.policies.smolvla import smolvlm_with_expert as x
    from lerobot.policies.smolvla import modeling_smolvla as m
    from lerobot.policies.smolvla.configuration_smolvla import SmolVLAConfig
    tiny = resolve_vlm_locally(x)
    install_recorder(x)
    install_time_recorder(m)

    torch.manual_seed(0)
    policy = make_policy(m, SmolVLAConfig, FeatureType, PolicyFeature)
    realistic(policy)
    n_vision, n_vlm, n_expert = hook_policy(policy)
    vwe = policy.model.vlm_with_expert
    print("tiny SmolVLM: text layers %d cut to %d (num_vlm_layers); expert %d layers, width %d, MLP %d; "
          "vision %d layers x %d, %d patches -> %d image tokens" % (
              tiny.text_config.num_hidden_layers, n_vlm, n_expert, vwe.expert_hidden_size,
              vwe.lm_expert.config.intermediate_size, n_vision, tiny.vision_config.hidden_size,
              (IMAGE // VISION["patch_size"]) ** 2, vwe.vlm.model.image_seq_len))
    print("expert k_proj shapes:", [tuple(l.self_attn.k_proj.weight.shape) for l in vwe.lm_expert.layers])
    print("vlm lm_head tied to embed_tokens:", vwe.vlm.lm_head.weight is vwe.vlm.model.text_model.embed_tokens.weight)

    tokens, images, states, noise, actions = inputs()
    pstates = [vu.pad_vector(s[None], MAX_DIM)[0] for s in states]
    pactions = [vu.pad_vector(a[None], MAX_DIM)[0] for a in actions]
    per_sample = []
    for s in range(2):
        rec = run_one(policy, vu, images[s], tokens[s], states[s], noise[s], actions[s], TIMES[s])
        n = rec["positions"].shape[1]
        assert torch.equal(rec["positions"][0], torch.arange(n)), "positions are not 0..N-1"
        per_sample.append(rec)
    all_names = names(n_vision, n_vlm, n_expert)
    states_out = {k: torch.cat([r[k][0] for r in per_sample]).contiguous().float() for k in all_names}

    os.makedirs(OUT, exist_ok=True)
    save_file(states_out, os.path.join(OUT, "hidden_states.safetensors"), metadata={"format": "pt"})
    extras = {}
    for s, r in enumerate(per_sample):
        extras["image_tokens.%d" % s] = r["image_tokens"][0].contiguous().float()
        extras["time_emb.%d" % s] = r["time_emb"].contiguous().float()
        extras["v_t.%d" % s] = r["v_t"][0].contiguous().float()
        extras["loss.%d" % s] = r["loss"].contiguous().float()
    save_file(extras, os.path.join(OUT, "extras.safetensors"), metadata={"format": "pt"})
    arrays = {}
    for s in range(2):
        arrays["images.%d" % s] = images[s].contiguous()
        arrays["state.%d" % s] = pstates[s].contiguous()
        arrays["noise.%d" % s] = noise[s].contiguous()
        arrays["actions.%d" % s] = pactions[s].contiguous()
    save_file(arrays, os.path.join(OUT, "inputs.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(OUT, "inputs.json"), "w") as f:
        json.dump({"tokens": [t.tolist() for t in tokens], "time": TIMES, "cameras": [1, 1],
                   "arrays": "inputs.safetensors: images.<s> [1,3,%d,%d] pixels in [-1,1]; state.<s> [32] (6 real "
                             "dims); noise.<s>, actions.<s> [50,32] (actions: 6 real dims); x_t = t*noise + "
                             "(1-t)*actions" % (IMAGE, IMAGE)}, f)
        f.write("\n")
    save_model(policy, os.path.join(OUT, "model.safetensors"), metadata={"format": "pt"})  # LeRobot's save path

    def plain(v):
        if isinstance(v, enum.Enum):
            return v.value
        if isinstance(v, dict):
            return {k: plain(y) for k, y in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(y) for y in v]
        if dataclasses.is_dataclass(v):
            return {k: plain(y) for k, y in dataclasses.asdict(v).items()}
        return v

    config = {"type": "smolvla"}
    config.update({f.name: plain(getattr(policy.config, f.name)) for f in dataclasses.fields(policy.config)})
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=4)
        f.write("\n")

    # ---- reference summary ----
    print("\nreference summary (rows = sample 0 then sample 1):")
    for module in ("vision", "vlm", "expert"):
        ks = [k for k in states_out if k.startswith(module + ".")]
        print("  %s: %d layers (+ input -1)" % (module, len(ks) - 1))
        for k in ks:
            print("    %-10s %-14s max|x| %.6g" % (k, list(states_out[k].shape), states_out[k].abs().max().item()))
    for s, r in enumerate(per_sample):
        print("  sample %d: t=%.2f  loss mean %.6g  prefix %d tokens, suffix %d" % (
            s, TIMES[s], r["loss"].mean().item(), r["vlm.-1"].shape[1], r["expert.-1"].shape[1]))

    # ---- self-checks ----
    print("\nself-checks:")
    n_img = per_sample[0]["image_tokens"].shape[1]
    emb = vwe.vlm.model.vision_model.embeddings
    with torch.no_grad():
        direct = emb.patch_embedding(images[0]).flatten(2).transpose(1, 2) + emb.position_embedding.weight
    print("  vision position ids are 0..N-1 (embeddings == conv + table in order): max abs diff %.3g" % (
        (direct[0] - per_sample[0]["vision.-1"][0]).abs().max().item()))
    mask = per_sample[0]["mask"][0]
    lp = per_sample[0]["vlm.-1"].shape[1]
    flag = torch.zeros(lp + CHUNK)
    flag[lp - 1] = 1
    flag[lp:] = 2 + torch.arange(CHUNK)
    print("  upstream 2-D mask == cumulative flags (images/language 0, state 1, action k 2+k): %s" % torch.equal(
        mask, flag[None, :] <= flag[:, None]))
    # (a) same x_t, different t: only the time embedding differs.
    t0, t1 = TIMES[0], 0.8
    x_t = t0 * noise[0] + (1 - t0) * pactions[0]
    actions_alt = (x_t - t1 * noise[0]) / (1 - t1)
    a = run_one(policy, vu, images[0], tokens[0], states[0], noise[0], pactions[0], t0)
    b = run_one(policy, vu, images[0], tokens[0], states[0], noise[0], actions_alt, t1)
    print("  (a) same x_t, t %.1f vs %.1f: vlm states identical: %s (max abs diff %.3g)" % (
        t0, t1, all(torch.equal(a["vlm.%d" % i], b["vlm.%d" % i]) for i in range(-1, n_vlm)),
        max((a["vlm.%d" % i] - b["vlm.%d" % i]).abs().max().item() for i in range(-1, n_vlm))))
    print("      " + ", ".join("expert.%d %.4f" % (i, rel(b["expert.%d" % i], a["expert.%d" % i]))
                               for i in range(-1, n_expert)))
    # (b) same noise/actions, t 0.3 vs 0.8.
    c = run_one(policy, vu, images[0], tokens[0], states[0], noise[0], pactions[0], 0.8)
    print("  (b) same noise/actions, t 0.3 vs 0.8: vlm identical %s; " % all(
        torch.equal(a["vlm.%d" % i], c["vlm.%d" % i]) for i in range(-1, n_vlm)) + ", ".join(
        "expert.%d %.4f" % (i, rel(c["expert.%d" % i], a["expert.%d" % i])) for i in range(-1, n_expert)))
    # (c) the 2-sample batch, prompts right-padded to 24 with pad mask 0 (as LeRobot's tokenizer step pads).
    global RECORD
    L = max(TOKEN_LENGTHS)
    tok = torch.zeros(2, L, dtype=torch.long)
    msk = torch.zeros(2, L, dtype=torch.bool)
    for s in range(2):
        tok[s, :TOKEN_LENGTHS[s]] = tokens[s]
        msk[s, :TOKEN_LENGTHS[s]] = True
    RECORD = {}
    with torch.no_grad():
        policy.model.forward([torch.cat(images)], [torch.ones(2, dtype=torch.bool)], tok, msk, torch.stack(pstates),
                             torch.stack(pactions), torch.stack(noise), torch.tensor(TIMES, dtype=torch.float32))
    batch, RECORD = RECORD, None
    worst = 0.0
    for name in states_out:
        for s in range(2):
            ref = per_sample[s][name][0]
            got = batch[name][s]
            if name.startswith("vlm."):
                keep = list(range(n_img + TOKEN_LENGTHS[s])) + [n_img + L]  # valid rows, then the state token
                got = got[keep]
            worst = max(worst, rel(got, ref))
    print("  (c) padded batch vs per-sample runs (non-padding rows): max rel diff %.2e over all layers; batch "
          "positions of sample 0 around the pad: %s" % (worst, batch["positions"][0].tolist()[n_img + 18:n_img + 28]))
    # (d) reload with LeRobot's loader into a fresh policy.
    torch.manual_seed(123)
    fresh = make_policy(m, SmolVLAConfig, FeatureType, PolicyFeature)
    missing, unexpected = load_model(fresh, os.path.join(OUT, "model.safetensors"), strict=True)
    print("  (d) safetensors.load_model(strict=True): missing %s, unexpected %s" % (sorted(missing),
                                                                                    sorted(unexpected)))
    raw = load_file(os.path.join(OUT, "model.safetensors"))
    r = fresh.load_state_dict(raw, strict=True)
    print("      plain load_state_dict(strict=True): missing %s, unexpected %s" % (r.missing_keys, r.unexpected_keys))
    hook_policy(fresh)
    again = [run_one(fresh, vu, images[s], tokens[s], states[s], noise[s], actions[s], TIMES[s]) for s in range(2)]
    same = all(torch.equal(torch.cat([y[k][0] for y in again]), states_out[k]) for k in states_out)
    print("      fresh policy reproduces every saved state exactly: %s" % same)
    print("      file: %d tensors, dtypes %s" % (len(raw), sorted({str(v.dtype) for v in raw.values()})))
    assert not missing and not unexpected and same
    # (e) Plateau's SmolVlaForward.java transcribed (see plateau_transcription), on the saved file and inputs.
    with torch.no_grad():
        ours = [plateau_transcription(raw, config, images[s], tokens[s], pstates[s], noise[s], pactions[s], TIMES[s])
                for s in range(2)]
    print("  (e) Plateau's SmolVlaForward transcribed to torch vs upstream, relative to each layer's max:")
    worst = 0.0
    for k in states_out:
        e = rel(torch.cat([o[k] for o in ours]), states_out[k])
        worst = max(worst, e)
        print("      %-10s %.2e" % (k, e))
    print("      worst %.2e" % worst)

    print("\nwritten to %s:" % os.path.abspath(OUT))
    for f in sorted(os.listdir(OUT)):
        print("  %-28s %d bytes" % (f, os.path.getsize(os.path.join(OUT, f))))


if __name__ == "__main__":
    main()
