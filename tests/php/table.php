<?php
// A 1000-row HTML table: a page with some work in it (the benchmarks
// use it too).
$rows = (int) ($_GET['rows'] ?? 1000);
?><!DOCTYPE html>
<html><head><title>table</title></head><body>
<table>
<tr><th>#</th><th>square</th><th>hex</th><th>label</th></tr>
<?php for ($i = 1; $i <= $rows; $i++): ?>
<tr><td><?= $i ?></td><td><?= $i * $i ?></td><td><?= dechex($i) ?></td><td><?= htmlspecialchars("row <$i> & co") ?></td></tr>
<?php endfor; ?>
</table>
</body></html>
