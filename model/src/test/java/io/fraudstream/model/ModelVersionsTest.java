package io.fraudstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelVersionsTest {

    @Test
    void timestampsOrderByTime() {
        assertThat(ModelVersions.isNewer("20261129T1830Z-retrain", "20261129T1030Z-bootstrap")).isTrue();
        assertThat(ModelVersions.isNewer("20261129T1030Z-bootstrap", "20261129T1830Z-retrain")).isFalse();
        assertThat(ModelVersions.isNewer("20261130T0000Z", "20261129T2359Z")).isTrue();
    }

    @Test
    void countersOrderNumericallyWithOrWithoutPadding() {
        assertThat(ModelVersions.isNewer("v10", "v9")).isTrue();
        assertThat(ModelVersions.isNewer("v000123", "v000122")).isTrue();
        assertThat(ModelVersions.isNewer("v000123", "v99")).isTrue();
        assertThat(ModelVersions.isNewer("v1", "v1")).isFalse();
    }

    @Test
    void orderIsTotalAndConsistent() {
        List<String> versions = new ArrayList<>(List.of("v1", "v01", "v001", "v2", "v10", "v1a", "v1-b", "a", "b1",
                "20261129T1030Z-bootstrap", "20261129T1030Z-bootstrap-s1", "0", "00", "1.2.3", "1.10.0"));
        SplittableRandom r = new SplittableRandom(5);
        for (String a : versions) {
            assertThat(ModelVersions.compare(a, a)).isZero();
            for (String b : versions) {
                int ab = ModelVersions.compare(a, b);
                assertThat(Integer.signum(ab)).isEqualTo(-Integer.signum(ModelVersions.compare(b, a)));
                if (!a.equals(b)) {
                    assertThat(ab).as("%s vs %s", a, b).isNotZero();
                }
                for (String c : versions) {
                    if (ab < 0 && ModelVersions.compare(b, c) < 0) {
                        assertThat(ModelVersions.compare(a, c)).isNegative();
                    }
                }
            }
        }
        Collections.shuffle(versions, new java.util.Random(r.nextLong()));
        versions.sort(ModelVersions.ORDER);
        assertThat(versions.indexOf("1.2.3")).isLessThan(versions.indexOf("1.10.0"));
        assertThat(versions.indexOf("v2")).isLessThan(versions.indexOf("v10"));
    }

    @Test
    void rejectsUnsafeVersions() {
        for (String bad : new String[] {"", "../x", "a/b", "-x", ".hidden", "a b", "é", "x".repeat(129)}) {
            assertThat(ModelVersions.isValid(bad)).as(bad).isFalse();
        }
        assertThatThrownBy(() -> ModelVersions.isNewer("../v2", "v1")).isInstanceOf(IllegalArgumentException.class);
    }
}
