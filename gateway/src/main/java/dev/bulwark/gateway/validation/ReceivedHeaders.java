package dev.bulwark.gateway.validation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The headers of an {@link InboundRequest}: names in lower case, in the order first received, each
 * with an immutable list of its values in the order received. Unmodifiable: every method is that of
 * {@link Collections#unmodifiableMap} over a map no one else holds.
 *
 * <p>Made only in this package, so that an {@code InboundRequest} given one can hold it as it is:
 * the request made again with its body shares its headers instead of copying them.
 */
final class ReceivedHeaders implements Map<String, List<String>> {
  private final Map<String, List<String>> fields;

  private ReceivedHeaders(Map<String, List<String>> owned) {
    this.fields = Collections.unmodifiableMap(owned);
  }

  /**
   * The fields {@code source} hands over, each as a name as sent and one value, gathered by
   * lower-cased name. A field it hands over after it has returned is refused with an {@link
   * IllegalStateException}.
   */
  static ReceivedHeaders gather(Consumer<BiConsumer<String, String>> source) {
    Gathering gathering = new Gathering();
    source.accept(gathering);
    return gathering.done();
  }

  /**
   * A copy of {@code headers}, whose names must be in lower case.
   *
   * @throws IllegalArgumentException if a name is not in lower case
   */
  static ReceivedHeaders copyOf(Map<String, List<String>> headers) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> {
          if (!name.equals(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                "headers: name '" + name + "' (expected: lower case)");
          }
          copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
        });
    copy.replaceAll((name, values) -> List.copyOf(values));
    return new ReceivedHeaders(copy);
  }

  // Most names come once: their value goes straight into an immutable list, and only a repeated
  // name gets a list that grows, made immutable when gathering is done.
  private static final class Gathering implements BiConsumer<String, String> {
    private final Map<String, List<String>> fields = new LinkedHashMap<>();
    private boolean repeated;
    private boolean done;

    @Override
    public void accept(String name, String value) {
      if (done) {
        // The map now belongs to a request, which must not change.
        throw new IllegalStateException("a header field handed over after the request was made");
      }
      String lower = name.toLowerCase(Locale.ROOT);
      List<String> values = fields.putIfAbsent(lower, List.of(value));
      if (values == null) {
        return;
      }
      ArrayList<String> growing;
      if (values instanceof ArrayList<String> list) {
        growing = list;
      } else {
        growing = new ArrayList<>(values);
        fields.put(lower, growing);
      }
      growing.add(value);
      repeated = true;
    }

    ReceivedHeaders done() {
      done = true;
      if (repeated) {
        fields.replaceAll((name, values) -> List.copyOf(values));
      }
      return new ReceivedHeaders(fields);
    }
  }

  @Override
  public int size() {
    return fields.size();
  }

  @Override
  public boolean isEmpty() {
    return fields.isEmpty();
  }

  @Override
  public boolean containsKey(Object key) {
    return fields.containsKey(key);
  }

  @Override
  public boolean containsValue(Object value) {
    return fields.containsValue(value);
  }

  @Override
  public List<String> get(Object key) {
    return fields.get(key);
  }

  @Override
  public List<String> put(String key, List<String> value) {
    return fields.put(key, value);
  }

  @Override
  public List<String> remove(Object key) {
    return fields.remove(key);
  }

  @Override
  public void putAll(Map<? extends String, ? extends List<String>> m) {
    fields.putAll(m);
  }

  @Override
  public void clear() {
    fields.clear();
  }

  @Override
  public Set<String> keySet() {
    return fields.keySet();
  }

  @Override
  public Collection<List<String>> values() {
    return fields.values();
  }

  @Override
  public Set<Entry<String, List<String>>> entrySet() {
    return fields.entrySet();
  }

  @Override
  public List<String> getOrDefault(Object key, List<String> defaultValue) {
    return fields.getOrDefault(key, defaultValue);
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super List<String>> action) {
    fields.forEach(action);
  }

  @Override
  public void replaceAll(
      BiFunction<? super String, ? super List<String>, ? extends List<String>> function) {
    fields.replaceAll(function);
  }

  @Override
  public List<String> putIfAbsent(String key, List<String> value) {
    return fields.putIfAbsent(key, value);
  }

  @Override
  public boolean remove(Object key, Object value) {
    return fields.remove(key, value);
  }

  @Override
  public boolean replace(String key, List<String> oldValue, List<String> newValue) {
    return fields.replace(key, oldValue, newValue);
  }

  @Override
  public List<String> replace(String key, List<String> value) {
    return fields.replace(key, value);
  }

  @Override
  public List<String> computeIfAbsent(
      String key, Function<? super String, ? extends List<String>> mappingFunction) {
    return fields.computeIfAbsent(key, mappingFunction);
  }

  @Override
  public List<String> computeIfPresent(
      String key,
      BiFunction<? super String, ? super List<String>, ? extends List<String>> remappingFunction) {
    return fields.computeIfPresent(key, remappingFunction);
  }

  @Override
  public List<String> compute(
      String key,
      BiFunction<? super String, ? super List<String>, ? extends List<String>> remappingFunction) {
    return fields.compute(key, remappingFunction);
  }

  @Override
  public List<String> merge(
      String key,
      List<String> value,
      BiFunction<? super List<String>, ? super List<String>, ? extends List<String>>
          remappingFunction) {
    return fields.merge(key, value, remappingFunction);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || fields.equals(o);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return fields.toString();
  }
}
