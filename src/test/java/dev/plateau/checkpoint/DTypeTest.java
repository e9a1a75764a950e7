package dev.plateau.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class DTypeTest {

    private static float convert(DType t, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return t.toFloat(MemorySegment.ofArray(b), 0);
    }

    @Test
    void bfloat16IsTheUpperHalfOfFloat32() {
        assertEquals(1.0f, convert(DType.BF16, 0x80, 0x3f));
        assertEquals(-2.0f, convert(DType.BF16, 0x00, 0xc0));
        assertEquals(Float.POSITIVE_INFINITY, convert(DType.BF16, 0x80, 0x7f));
        assertEquals(0x1p-133f, convert(DType.BF16, 0x01, 0x00));
        assertEquals(3.140625f, convert(DType.BF16, 0x49, 0x40));
    }

    @Test
    void float16ConvertsNormalsSubnormalsAndLimits() {
        assertEquals(1.0f, convert(DType.F16, 0x00, 0x3c));
        assertEquals(0x1p-24f, convert(DType.F16, 0x01, 0x00));
        assertEquals(65504f, convert(DType.F16, 0xff, 0x7b));
        assertEquals(-0.5f, convert(DType.F16, 0x00, 0xb8));
        assertEquals(Float.NEGATIVE_INFINITY, convert(DType.F16, 0x00, 0xfc));
    }

    @Test
    void fp8E4m3HasNoInfinityAndOneNaNPattern() {
        assertEquals(1.0f, convert(DType.F8_E4M3, 0x38));
        assertEquals(-1.0f, convert(DType.F8_E4M3, 0xb8));
        assertEquals(448f, convert(DType.F8_E4M3, 0x7e));
        assertEquals(0x1p-9f, convert(DType.F8_E4M3, 0x01));
        assertTrue(Float.isNaN(convert(DType.F8_E4M3, 0x7f)));
        assertTrue(Float.isNaN(convert(DType.F8_E4M3, 0xff)));
    }

    @Test
    void fp8E5m2IsTheUpperByteOfFloat16() {
        assertEquals(1.0f, convert(DType.F8_E5M2, 0x3c));
        assertEquals(57344f, convert(DType.F8_E5M2, 0x7b));
        assertEquals(Float.POSITIVE_INFINITY, convert(DType.F8_E5M2, 0x7c));
        assertEquals(0x1p-16f, convert(DType.F8_E5M2, 0x01));
    }

    @Test
    void integersAndBooleansKeepTheirValueAndSign() {
        assertEquals(-1f, convert(DType.I8, 0xff));
        assertEquals(255f, convert(DType.U8, 0xff));
        assertEquals(1f, convert(DType.BOOL, 0x01));
        assertEquals(-2f, convert(DType.I16, 0xfe, 0xff));
        assertEquals(65535f, convert(DType.U16, 0xff, 0xff));
        assertEquals(-3f, convert(DType.I32, 0xfd, 0xff, 0xff, 0xff));
        assertEquals(4294967295f, convert(DType.U32, 0xff, 0xff, 0xff, 0xff));
        assertEquals(-5f, convert(DType.I64, 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
        assertEquals(0x1p63f, convert(DType.U64, 0, 0, 0, 0, 0, 0, 0, 0x80));
        assertEquals(0.1f, convert(DType.F64, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f));
    }

    @Test
    void bulkConversionMatchesElementConversion() {
        byte[] raw = new byte[64];
        new java.util.Random(7).nextBytes(raw);
        MemorySegment seg = MemorySegment.ofArray(raw);
        for (DType t : DType.values()) {
            float[] bulk = t.toFloats(seg);
            assertEquals(64 / t.size(), bulk.length, t.name());
            for (int i = 0; i < bulk.length; i++) {
                assertEquals(Float.floatToIntBits(t.toFloat(seg, i)), Float.floatToIntBits(bulk[i]), t + "[" + i + "]");
            }
        }
    }

    @Test
    void codesAreExactAndCaseSensitive() {
        assertEquals(DType.BF16, DType.fromCode("BF16").orElseThrow());
        assertTrue(DType.fromCode("bf16").isEmpty());
        assertTrue(DType.fromCode("F12").isEmpty());
        assertEquals(15, DType.values().length);
    }
}
