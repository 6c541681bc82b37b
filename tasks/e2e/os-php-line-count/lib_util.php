<?php
function greet($who) {
    return "Hello, $who!";
}

function add($a, $b) {
    return $a + $b;
}
