//! Reading order: lines top to bottom, boxes within a line left to right.

use crate::Rect;

/// Whether `a` and `b` sit on the same line: their vertical overlap is at least half the
/// smaller height.
fn same_line(a: &Rect, b: &Rect) -> bool {
    let top = a.y.max(b.y);
    let bottom = a.bottom().min(b.bottom());
    let overlap = bottom.saturating_sub(u64::from(top));
    overlap * 2 >= u64::from(a.height.min(b.height))
}

/// Sort `items` into reading order by their rectangles. A box joins the line of the first box
/// (by top edge) it shares a line with; lines are ordered by their first box's top edge.
pub(crate) fn reading_order<T>(items: &mut Vec<T>, rect: impl Fn(&T) -> Rect) {
    let mut taken: Vec<T> = std::mem::take(items);
    taken.sort_by_key(|t| {
        let r = rect(t);
        (r.y, r.x)
    });
    let mut lines: Vec<(Rect, Vec<T>)> = Vec::new();
    'next: for t in taken {
        let r = rect(&t);
        // Only the last few lines can still overlap a box further down.
        for (anchor, line) in lines.iter_mut().rev().take(4) {
            if same_line(anchor, &r) {
                line.push(t);
                continue 'next;
            }
        }
        lines.push((r, vec![t]));
    }
    for (_, mut line) in lines {
        line.sort_by_key(|t| rect(t).x);
        items.extend(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_then_columns() {
        let mut v = vec![
            Rect::new(300, 52, 40, 20), // line 2, right
            Rect::new(10, 50, 80, 24),  // line 2, left
            Rect::new(200, 10, 50, 18), // line 1, right (a little lower than its neighbour)
            Rect::new(20, 8, 60, 18),   // line 1, left
            Rect::new(10, 100, 80, 20), // line 3
        ];
        reading_order(&mut v, |r| *r);
        assert_eq!(
            v,
            vec![
                Rect::new(20, 8, 60, 18),
                Rect::new(200, 10, 50, 18),
                Rect::new(10, 50, 80, 24),
                Rect::new(300, 52, 40, 20),
                Rect::new(10, 100, 80, 20),
            ]
        );
    }
}
