<?php
require 'lib/util.php';
echo greet('world');
