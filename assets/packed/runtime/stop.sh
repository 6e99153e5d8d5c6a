#!/bin/bash
if [ "${Q[i]}" = 2 ]&&[ "${S[i]}" != ok ];then
for j in "${!N[@]}";do
((j<=i))||{
S[j]=skipped Y[j]="\"${N[i]} failed\""
say "step ${N[j]}: skipped ${Y[j]}"
}
done
break
fi
