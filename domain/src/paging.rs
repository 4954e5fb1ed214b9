//! Paging a list held in memory with cursors: a page is the rows after (or before) a sort key,
//! so that a link to the next page still shows the right rows when rows are added or removed
//! before it. Lists too long for memory are paged in the database the same way (the portfolio's
//! stored lines).

/// Separates the parts of a sort key: below every character a name can hold.
pub const SEP: char = '\u{1}';

/// The sort key of a row in name order: the name without regard to case, then the key, so that
/// two rows never share one and a sort key is a cursor.
pub fn name_key(name: &str, key: &str) -> String {
    format!("{}{SEP}{key}", name.to_lowercase())
}

/// Which rows of a sorted list make a page, and the cursors of the pages beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// The first row of the page (an index into the list).
    pub start: usize,
    /// One past the last row of the page.
    pub end: usize,
    /// The cursor of the next page (`after`), when there are rows past this one.
    pub next: Option<String>,
    /// The cursor of the previous page (`before`), when there are rows before this one.
    pub prev: Option<String>,
}

/// The page of `keys` (sort keys in ascending order) with up to `limit` rows (at least one):
/// those after `after`, or else those just before `before`, or else the first. A cursor need
/// not be a key of the list (its row may be gone): the page starts where it would sort.
pub fn window<K: AsRef<str>>(
    keys: &[K],
    after: Option<&str>,
    before: Option<&str>,
    limit: usize,
) -> Window {
    let limit = limit.max(1);
    let (start, end) = match (after, before) {
        (Some(after), _) => {
            let start = keys.partition_point(|k| k.as_ref() <= after);
            (start, (start + limit).min(keys.len()))
        }
        (None, Some(before)) => {
            let end = keys.partition_point(|k| k.as_ref() < before);
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(keys.len())),
    };
    Window {
        start,
        end,
        next: (end > start && end < keys.len()).then(|| keys[end - 1].as_ref().to_string()),
        prev: (start > 0 && start < end).then(|| keys[start].as_ref().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{i:03}")).collect()
    }

    #[test]
    fn the_first_page_has_a_next_cursor_and_no_previous() {
        let k = keys(5);
        let w = window(&k, None, None, 2);
        assert_eq!((w.start, w.end), (0, 2));
        assert_eq!(w.next.as_deref(), Some("k001"));
        assert_eq!(w.prev, None);
    }

    #[test]
    fn next_and_previous_walk_every_row_once() {
        let k = keys(7);
        let mut seen = Vec::new();
        let mut w = window(&k, None, None, 3);
        loop {
            seen.extend(k[w.start..w.end].iter().cloned());
            match w.next.clone() {
                Some(c) => w = window(&k, Some(&c), None, 3),
                None => break,
            }
        }
        assert_eq!(seen, k);
        // The last page (one row) goes back to the three before it.
        assert_eq!((w.start, w.end), (6, 7));
        let back = window(&k, None, w.prev.as_deref(), 3);
        assert_eq!((back.start, back.end), (3, 6));
        assert_eq!(back.next.as_deref(), Some("k005"));
        assert_eq!(back.prev.as_deref(), Some("k003"));
    }

    #[test]
    fn going_back_to_the_start_has_no_previous_cursor() {
        let k = keys(5);
        let w = window(&k, None, Some("k002"), 3);
        assert_eq!((w.start, w.end), (0, 2));
        assert_eq!(w.prev, None);
        assert_eq!(w.next.as_deref(), Some("k001"));
    }

    #[test]
    fn a_cursor_whose_row_is_gone_starts_where_it_would_sort() {
        let k = vec!["a".to_string(), "c".to_string(), "e".to_string()];
        let w = window(&k, Some("b"), None, 10);
        assert_eq!((w.start, w.end), (1, 3));
        assert_eq!(w.next, None);
        assert_eq!(w.prev.as_deref(), Some("c"));
        let w = window(&k, None, Some("d"), 10);
        assert_eq!((w.start, w.end), (0, 2));
    }

    #[test]
    fn empty_lists_and_cursors_past_the_end_give_empty_pages_without_cursors() {
        let w = window::<String>(&[], None, None, 50);
        assert_eq!((w.start, w.end, w.next, w.prev), (0, 0, None, None));
        let k = keys(3);
        let w = window(&k, Some("z"), None, 50);
        assert_eq!((w.start, w.end, w.next, w.prev), (3, 3, None, None));
        let w = window(&k, None, Some("a"), 50);
        assert_eq!((w.start, w.end, w.next, w.prev), (0, 0, None, None));
    }

    #[test]
    fn a_limit_of_zero_still_shows_a_row() {
        let k = keys(3);
        let w = window(&k, None, None, 0);
        assert_eq!((w.start, w.end), (0, 1));
    }

    #[test]
    fn names_sort_without_regard_to_case_and_the_key_breaks_ties() {
        let mut k = [
            name_key("beta", "b2"),
            name_key("Alpha", "a"),
            name_key("Beta", "b1"),
        ];
        k.sort();
        assert_eq!(
            k,
            [
                name_key("Alpha", "a"),
                name_key("Beta", "b1"),
                name_key("beta", "b2")
            ]
        );
        // A name sorts before a longer one that begins with it.
        assert!(name_key("Ab", "z") < name_key("Abc", "a"));
    }
}
