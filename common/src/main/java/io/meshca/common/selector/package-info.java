/**
 * What each attestor's selectors may say: one {@link io.meshca.common.selector.SelectorVocabulary} per
 * selector type, shared by the attestor that produces the selectors and the server that checks entries
 * against them, so that an entry naming a selector no attestor can produce is refused when it is
 * written instead of silently never matching.
 */
package io.meshca.common.selector;
