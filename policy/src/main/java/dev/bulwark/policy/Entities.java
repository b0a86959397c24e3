package dev.bulwark.policy;

import static java.util.Objects.requireNonNull;

import dev.bulwark.policy.internal.eval.EntityJson;
import dev.bulwark.policy.internal.eval.SchemaHints;
import dev.bulwark.policy.schema.ActionEntity;
import dev.bulwark.policy.schema.Schema;
import dev.bulwark.policy.value.EntityUid;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable store of entities with the transitive closure of the hierarchy computed once, so
 * that {@code in} is a set lookup at decision time.
 */
public final class Entities {
  private static final Entities EMPTY = new Entities(Map.of(), null);

  private final Map<EntityUid, Entity> byUid;
  private final Map<EntityUid, Set<EntityUid>> ancestors;

  /** The store this one overlays, or null for a store that stands alone. */
  private final Entities base;

  /**
   * Every uid that is some entity's parent here or in the base: where an overlay would go stale.
   */
  private final Set<EntityUid> interior;

  private Entities(Map<EntityUid, Entity> byUid, Entities base) {
    this.byUid = byUid;
    this.base = base;
    this.ancestors = closure(byUid, base);
    Set<EntityUid> parents = new HashSet<>(base == null ? Set.of() : base.interior);
    byUid.values().forEach(e -> parents.addAll(e.parents()));
    this.interior = Set.copyOf(parents);
  }

  /** No entities. */
  public static Entities empty() {
    return EMPTY;
  }

  /**
   * The given entities.
   *
   * @throws PolicyException {@code ENTITIES_INVALID} if two share a uid
   */
  public static Entities of(Collection<Entity> entities) {
    Map<EntityUid, Entity> map = new LinkedHashMap<>();
    for (Entity e : entities) {
      if (map.put(e.uid(), e) != null) {
        throw new PolicyException(
            PolicyException.Code.ENTITIES_INVALID, "duplicate entity " + e.uid());
      }
    }
    return new Entities(Map.copyOf(map), null);
  }

  /**
   * Reads Cedar's entities JSON format (an array of {@code {uid, attrs, parents, tags}}).
   *
   * @throws PolicyException {@code ENTITIES_INVALID} naming the bad entity
   */
  public static Entities fromJson(String json) {
    return of(EntityJson.parseEntities(json, Optional.empty()));
  }

  /**
   * Reads Cedar's entities JSON against a schema: entity references and extension values may be
   * written without their {@code __entity} / {@code __extn} escapes where the schema says what they
   * are; every entity must conform to its declared type; and the schema's actions, with their
   * groups, are added so that {@code action in ...} follows the declared hierarchy.
   *
   * @throws PolicyException {@code ENTITIES_INVALID} naming the entity and what does not conform
   */
  public static Entities fromJson(String json, Schema schema) {
    requireNonNull(schema, "schema");
    List<Entity> parsed = EntityJson.parseEntities(json, Optional.of(new SchemaHints(schema)));
    List<String> problems = new ArrayList<>();
    for (Entity e : parsed) {
      for (String p : schema.validateEntity(e.uid(), e.attributes(), e.parents(), e.tags())) {
        problems.add(e.uid() + ": " + p);
      }
    }
    if (!problems.isEmpty()) {
      throw new PolicyException(
          PolicyException.Code.ENTITIES_INVALID,
          "entities do not conform to the schema: " + String.join("; ", problems));
    }
    List<Entity> actions = new ArrayList<>();
    for (ActionEntity a : schema.actionEntities()) {
      actions.add(Entity.of(a.uid(), a.parents()));
    }
    return of(parsed).with(actions);
  }

  /**
   * This store plus {@code more}; an entity of {@code more} with a uid already here replaces it.
   * Made for a request's own entities over a large static store: the new store overlays this one
   * and costs time in proportion to {@code more}, unless {@code more} replaces an entity other
   * entities are {@code in}, which recomputes the hierarchy.
   */
  public Entities with(Collection<Entity> more) {
    Map<EntityUid, Entity> overlay = new LinkedHashMap<>();
    boolean replacesInterior = false;
    for (Entity e : more) {
      overlay.put(e.uid(), e);
      replacesInterior |= interior.contains(e.uid()) && get(e.uid()).isPresent();
    }
    if (overlay.isEmpty()) {
      return this;
    }
    if (!replacesInterior) {
      // The common case, request entities over a large static store: only the new entities'
      // ancestors are computed, in time proportional to them rather than to the store.
      return new Entities(Map.copyOf(overlay), this);
    }
    Map<EntityUid, Entity> map = new LinkedHashMap<>();
    all().forEach(e -> map.put(e.uid(), e));
    map.putAll(overlay);
    return new Entities(Map.copyOf(map), null);
  }

  /** The entity with that uid. */
  public Optional<Entity> get(EntityUid uid) {
    Entity e = byUid.get(requireNonNull(uid, "uid"));
    if (e == null && base != null) {
      return base.get(uid);
    }
    return Optional.ofNullable(e);
  }

  /** Every entity the given one is transitively {@code in}, not including itself. */
  public Set<EntityUid> ancestors(EntityUid uid) {
    if (base != null && !byUid.containsKey(uid)) {
      return base.ancestors(uid);
    }
    return ancestors.getOrDefault(uid, Set.of());
  }

  /** Whether {@code descendant in ancestor} holds: equal, or below it in the hierarchy. */
  public boolean isIn(EntityUid descendant, EntityUid ancestor) {
    return descendant.equals(ancestor) || ancestors(descendant).contains(ancestor);
  }

  /** All entities. */
  public Collection<Entity> all() {
    if (base == null) {
      return byUid.values();
    }
    Map<EntityUid, Entity> merged = new LinkedHashMap<>();
    base.all().forEach(e -> merged.put(e.uid(), e));
    merged.putAll(byUid);
    return merged.values();
  }

  /** How many entities the store holds. */
  public int size() {
    return base == null ? byUid.size() : all().size();
  }

  private static Map<EntityUid, Set<EntityUid>> closure(
      Map<EntityUid, Entity> byUid, Entities base) {
    Map<EntityUid, Set<EntityUid>> result = new HashMap<>();
    for (Entity e : byUid.values()) {
      if (e.parents().isEmpty()) {
        continue;
      }
      Set<EntityUid> seen = new HashSet<>();
      Deque<EntityUid> todo = new ArrayDeque<>(e.parents());
      while (!todo.isEmpty()) {
        EntityUid next = todo.pop();
        if (!seen.add(next)) {
          continue;
        }
        Set<EntityUid> known = result.get(next);
        if (known != null) {
          seen.addAll(known);
          continue;
        }
        Entity parent = byUid.get(next);
        if (parent != null) {
          todo.addAll(parent.parents());
        } else if (base != null) {
          seen.addAll(base.ancestors(next));
        }
      }
      // A cycle may put the entity among its own ancestors; 'in' treats it as equal anyway.
      seen.remove(e.uid());
      result.put(e.uid(), Set.copyOf(seen));
    }
    return Map.copyOf(result);
  }

  @Override
  public String toString() {
    return "Entities[" + size() + "]";
  }
}
