#!/bin/bash
ln -sfn "$I" "../latest-$k"
ls -rd -- ../[0-9]*-"$k"|tail -n "+$((n+1))"|xargs -r rm -rf --
