package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.policy.value.EntityUid;
import dev.bulwark.policy.value.LongValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntitiesTest {
  static EntityUid uid(String type, String id) {
    return EntityUid.of(type, id);
  }

  static Entities org() {
    List<Entity> all = new ArrayList<>();
    all.add(Entity.of(uid("Org", "acme"), Set.of()));
    all.add(Entity.of(uid("Dept", "eng"), Set.of(uid("Org", "acme"))));
    all.add(Entity.of(uid("Team", "core"), Set.of(uid("Dept", "eng"))));
    all.add(
        new Entity(
            uid("User", "ann"),
            Map.of("level", new LongValue(3)),
            Set.of(uid("Team", "core")),
            Map.of()));
    return Entities.of(all);
  }

  @Test
  void ancestorsAreTransitive() {
    assertThat(org().ancestors(uid("User", "ann")))
        .containsExactlyInAnyOrder(uid("Team", "core"), uid("Dept", "eng"), uid("Org", "acme"));
    assertThat(org().isIn(uid("User", "ann"), uid("Org", "acme"))).isTrue();
    assertThat(org().isIn(uid("Org", "acme"), uid("User", "ann"))).isFalse();
  }

  @Test
  void aCycleTerminatesAndEveryMemberIsInTheOthers() {
    Entities e =
        Entities.of(
            List.of(
                Entity.of(uid("G", "a"), Set.of(uid("G", "b"))),
                Entity.of(uid("G", "b"), Set.of(uid("G", "a")))));
    assertThat(e.isIn(uid("G", "a"), uid("G", "b"))).isTrue();
    assertThat(e.isIn(uid("G", "b"), uid("G", "a"))).isTrue();
  }

  @Test
  void requestEntitiesOverlayTheStoreAndReachItsHierarchy() {
    Entities base = org();
    Entities request =
        base.with(
            List.of(
                Entity.of(uid("User", "bob"), Set.of(uid("Team", "core"))),
                Entity.of(uid("Doc", "d"), Set.of())));
    assertThat(request.ancestors(uid("User", "bob"))).contains(uid("Org", "acme"));
    assertThat(request.get(uid("User", "ann"))).isPresent();
    assertThat(request.size()).isEqualTo(6);
    assertThat(base.get(uid("User", "bob"))).isEmpty();
  }

  @Test
  void replacingAnEntityInsideTheHierarchyRecomputesItForEveryone() {
    // Team core moves out of eng: ann, below it, must no longer be in eng.
    Entities moved = org().with(List.of(Entity.of(uid("Team", "core"), Set.of())));
    assertThat(moved.isIn(uid("User", "ann"), uid("Dept", "eng"))).isFalse();
    assertThat(moved.isIn(uid("User", "ann"), uid("Team", "core"))).isTrue();
  }

  @Test
  void aReplacedLeafIsSeenWithItsNewAttributesAndParents() {
    Entities e =
        org()
            .with(
                List.of(
                    new Entity(
                        uid("User", "ann"),
                        Map.of("level", new LongValue(9)),
                        Set.of(),
                        Map.of())));
    assertThat(e.get(uid("User", "ann")).orElseThrow().attributes().get("level"))
        .isEqualTo(new LongValue(9));
    assertThat(e.ancestors(uid("User", "ann"))).isEmpty();
  }
}
