<?php
$db = new PDO('sqlite::memory:');
$db->exec('CREATE TABLE t (x)');
$db->exec('INSERT INTO t VALUES (1)');
return $db;
