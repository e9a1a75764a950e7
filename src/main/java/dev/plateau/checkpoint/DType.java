package dev.plateau.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Optional;

/** The element types of the safetensors format, with their size and their exact conversion to float32. */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8);

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** The dtype a safetensors header names by {@code code} (exact, case-sensitive), if the format has it. */
    public static Optional<DType> fromCode(String code) {
        for (DType t : values()) {
            if (t.name().equals(code)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Element {@code index} of little-endian {@code data} as float32 (rounded to nearest where float32 is narrower). */
    public float toFloat(MemorySegment data, long index) {
        long at = index * size;
        return switch (this) {
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1f : 0f;
            case U8 -> data.get(ValueLayout.JAVA_BYTE, at) & 0xff;
            case I8 -> data.get(ValueLayout.JAVA_BYTE, at);
            case F8_E5M2 -> Float.float16ToFloat((short) (data.get(ValueLayout.JAVA_BYTE, at) << 8));
            case F8_E4M3 -> e4m3ToFloat(data.get(ValueLayout.JAVA_BYTE, at));
            case I16 -> data.get(SHORT, at);
            case U16 -> data.get(SHORT, at) & 0xffff;
            case F16 -> Float.float16ToFloat(data.get(SHORT, at));
            case BF16 -> bf16ToFloat(data.get(SHORT, at));
            case I32 -> data.get(INT, at);
            case U32 -> data.get(INT, at) & 0xffffffffL;
            case F32 -> data.get(FLOAT, at);
            case I64 -> data.get(LONG, at);
            case U64 -> unsignedToFloat(data.get(LONG, at));
            case F64 -> (float) data.get(DOUBLE, at);
        };
    }

    /** Every element of {@code data} as float32; the fast paths are F32, BF16 and F16. */
    public float[] toFloats(MemorySegment data) {
        long count = data.byteSize() / size;
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of " + count + " elements does not fit a Java array");
        }
        float[] out = new float[(int) count];
        toFloats(data, MemorySegment.ofArray(out));
        return out;
    }

    /**
     * Every element of {@code data} as float32 in the platform's byte order, written to {@code out} (native memory
     * or a float array's segment, of at least 4 bytes per element).
     */
    public void toFloats(MemorySegment data, MemorySegment out) {
        long count = data.byteSize() / size;
        switch (this) {
            case F32 -> MemorySegment.copy(data, FLOAT, 0, out, ValueLayout.JAVA_FLOAT, 0, count);
            case BF16 -> {
                for (long i = 0; i < count; i++) {
                    out.setAtIndex(ValueLayout.JAVA_FLOAT, i, bf16ToFloat(data.get(SHORT, i * 2)));
                }
            }
            case F16 -> {
                for (long i = 0; i < count; i++) {
                    out.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.float16ToFloat(data.get(SHORT, i * 2)));
                }
            }
            default -> {
                for (long i = 0; i < count; i++) {
                    out.setAtIndex(ValueLayout.JAVA_FLOAT, i, toFloat(data, i));
                }
            }
        }
    }

    /** bfloat16 is the upper half of a float32: widening is exact. */
    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** OCP FP8 E4M3 ("fn" variant of PyTorch): bias 7, no infinities, S.1111.111 is NaN. */
    static float e4m3ToFloat(byte b) {
        int sign = (b & 0x80) != 0 ? -1 : 1;
        int exponent = (b >>> 3) & 0xf;
        int mantissa = b & 0x7;
        if (exponent == 0xf && mantissa == 0x7) {
            return Float.NaN;
        }
        if (exponent == 0) {
            return sign * Math.scalb(mantissa / 8f, -6);
        }
        return sign * Math.scalb(1f + mantissa / 8f, exponent - 7);
    }

    private static float unsignedToFloat(long v) {
        return v >= 0 ? v : (float) (v >>> 1) * 2f + (v & 1);
    }
}
