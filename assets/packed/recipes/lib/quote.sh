#!/bin/bash
sq(){
local rest=$1 out=''
while [[ $rest == *\'* ]];do
out+="${rest%%\'*}'\\''"
rest=${rest#*\'}
done
printf "'%s%s'" "$out" "$rest"
}
dq(){
local rest=$1 out='' head
while [[ $rest == *[\\\"\$\`]* ]];do
head=${rest%%[\\\"\$\`]*}
out+="$head\\${rest:${#head}:1}"
rest=${rest:${#head}+1}
done
printf '"%s%s"' "$out" "$rest"
}
